package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeForever is the helper process of TestKill9DuringWrites: it resumes from sync_state and
// writes one build (two steps, one test) per Write with the state that covers it, until killed.
func writeForever(p string) {
	ctx := context.Background()
	s, err := Open(ctx, p)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	st, err := s.States(ctx)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	db := s.DB()
	for n := int(st["github/a/x"].HighWater) + 1; ; n++ {
		builds, err1 := newRecord(db, "builds", build("github/a/x", n, "success"))
		steps, err2 := newRecord(db, "steps", step("github/a/x", n, 0, 0, "a"), step("github/a/x", n, 1, 0, "b"))
		tests, err3 := newRecord(db, "tests", map[string]any{"project_slug": "github/a/x", "build_num": n, "test_index": 0})
		if err := errors.Join(err1, err2, err3); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		b := Batch{Builds: builds, Steps: steps, Tests: tests, State: []ProjectState{{ProjectSlug: "github/a/x", HighWater: int64(n)}}}
		_, err := s.Write(ctx, b)
		builds.Release()
		steps.Release()
		tests.Release()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
}

// TestKill9DuringWrites kills a writing process at random moments; after each kill the database
// opens and its rows agree exactly with its sync_state (no rows without state, no state without rows).
func TestKill9DuringWrites(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "b.duckdb")
	last := int64(0)
	for round := range 4 {
		w := startHelper(t, "BUILDLAKE_LOAD_WRITER", p)
		time.Sleep(time.Duration(150+rand.IntN(400)) * time.Millisecond)
		w.Process.Kill()
		w.Wait()
		s, err := Open(ctx, p)
		if err != nil {
			t.Fatalf("round %d: open after kill -9: %v", round, err)
		}
		st, err := s.States(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hw := st["github/a/x"].HighWater
		builds := count(t, s.DB(), "SELECT count(*) FROM builds")
		maxNum := count(t, s.DB(), "SELECT coalesce(max(build_num), 0) FROM builds")
		steps := count(t, s.DB(), "SELECT count(*) FROM steps")
		tests := count(t, s.DB(), "SELECT count(*) FROM tests")
		s.Close()
		if int64(builds) != hw || int64(maxNum) != hw || steps != 2*builds || tests != builds {
			t.Fatalf("round %d: high water %d, builds %d (max %d), steps %d, tests %d", round, hw, builds, maxNum, steps, tests)
		}
		if hw < last {
			t.Fatalf("round %d: high water went back from %d to %d", round, last, hw)
		}
		last = hw
	}
	if last == 0 {
		t.Fatal("the writer never committed: the test did not exercise anything")
	}
	t.Logf("%d builds committed across 4 kills", last)
}
