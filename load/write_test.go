package load

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestWriteUpsertsByNaturalKey(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	db := s.DB()
	b1 := Batch{
		Builds: record(t, db, "builds", build("github/a/x", 1, "running"), build("github/a/x", 2, "success")),
		Steps:  record(t, db, "steps", step("github/a/x", 1, 0, 0, "checkout"), step("github/a/x", 1, 0, 1, "checkout"), step("github/a/x", 1, 1, 0, "test")),
	}
	c, err := s.Write(ctx, b1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Builds != 2 || c.Steps != 3 {
		t.Fatalf("counts = %+v", c)
	}
	// Same batch again: no duplicates.
	if _, err := s.Write(ctx, b1); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM builds"); n != 2 {
		t.Fatalf("builds = %d after rewrite, want 2", n)
	}
	// Build 1 finished: new status, and its steps shrank to one row (the other nodes' rows go).
	b2 := Batch{
		Builds: record(t, db, "builds", build("github/a/x", 1, "failed")),
		Steps:  record(t, db, "steps", step("github/a/x", 1, 0, 0, "checkout2")),
	}
	if _, err := s.Write(ctx, b2); err != nil {
		t.Fatal(err)
	}
	var status string
	if err := db.QueryRow("SELECT status FROM builds WHERE build_num = 1").Scan(&status); err != nil || status != "failed" {
		t.Fatalf("status = %q, %v", status, err)
	}
	if n := count(t, db, "SELECT count(*) FROM steps WHERE build_num = 1 AND name = 'checkout2'"); n != 1 {
		t.Fatalf("steps of build 1 = %d, want the one new row", count(t, db, "SELECT count(*) FROM steps WHERE build_num = 1"))
	}
	if n := count(t, db, "SELECT count(*) FROM steps"); n != 1 {
		t.Fatalf("steps = %d, want 1", n)
	}
	// A nil child record leaves the build's children alone.
	if _, err := s.Write(ctx, Batch{Builds: record(t, db, "builds", build("github/a/x", 1, "failed"))}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM steps"); n != 1 {
		t.Fatalf("steps = %d after a builds-only write, want 1", n)
	}
	// An empty non-nil child record clears them.
	if _, err := s.Write(ctx, Batch{Builds: record(t, db, "builds", build("github/a/x", 1, "failed")), Steps: record(t, db, "steps")}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM steps"); n != 0 {
		t.Fatalf("steps = %d after an empty steps record, want 0", n)
	}
	// Child rows of a build missing from Builds replace that build's rows too.
	if _, err := s.Write(ctx, Batch{Steps: record(t, db, "steps", step("github/a/x", 2, 0, 0, "a"), step("github/a/x", 2, 1, 0, "b"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(ctx, Batch{Builds: record(t, db, "builds", build("github/a/x", 1, "failed")), Steps: record(t, db, "steps", step("github/a/x", 2, 0, 0, "c"))}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM steps WHERE build_num = 2"); n != 1 {
		t.Fatalf("steps of build 2 = %d, want 1", n)
	}
}

func TestWriteDuplicateKeysInBatchLastWins(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	db := s.DB()
	c, err := s.Write(ctx, Batch{
		Builds: record(t, db, "builds", build("github/a/x", 7, "running"), build("github/a/x", 7, "success")),
		Tests: record(t, db, "tests",
			map[string]any{"project_slug": "github/a/x", "build_num": 7, "test_index": 0, "name": "old"},
			map[string]any{"project_slug": "github/a/x", "build_num": 7, "test_index": 0, "name": "new"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Builds != 1 || c.Tests != 1 {
		t.Fatalf("counts = %+v, want 1 build 1 test", c)
	}
	var status, name string
	db.QueryRow("SELECT status FROM builds").Scan(&status)
	db.QueryRow("SELECT name FROM tests").Scan(&name)
	if status != "success" || name != "new" {
		t.Fatalf("status %q name %q, want the last rows", status, name)
	}
}

func TestWriteAllTablesAndValues(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	db := s.DB()
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	_, err := s.Write(ctx, Batch{
		Projects: record(t, db, "projects", map[string]any{"project_slug": "github/a/x", "oss": true, "extracted_at": at}),
		Builds:   record(t, db, "builds", map[string]any{"project_slug": "github/a/x", "build_num": 3, "parallel": 4, "is_retry": false, "start_time": at}),
		Artifacts: record(t, db, "artifacts",
			map[string]any{"project_slug": "github/a/x", "build_num": 3, "node_index": 1, "path": "out/a.txt", "url": "https://x/a"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got time.Time
	var par int
	var oss bool
	if err := db.QueryRow("SELECT start_time, parallel FROM builds").Scan(&got, &par); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) || par != 4 {
		t.Fatalf("start_time %v parallel %d, want %v 4", got, par, at)
	}
	if err := db.QueryRow("SELECT oss FROM projects").Scan(&oss); err != nil || !oss {
		t.Fatalf("oss = %v, %v", oss, err)
	}
	if n := count(t, db, "SELECT count(*) FROM artifacts WHERE node_index = 1 AND path = 'out/a.txt'"); n != 1 {
		t.Fatalf("artifacts = %d", n)
	}
}

func TestWriteStateAndErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	want := ProjectState{ProjectSlug: "github/a/x", HighWater: 42, Pending: []int64{40, 41}, RunID: "r1", UpdatedAt: at}
	_, err := s.Write(ctx, Batch{
		State:  []ProjectState{want},
		Errors: []SyncError{{RunID: "r1", ProjectSlug: "github/a/x", BuildNum: 41, Stage: "details", Error: "HTTP 500", At: at}, {RunID: "r1", ProjectSlug: "github/a/y", Stage: "list", Error: "HTTP 404"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st["github/a/x"], want) {
		t.Fatalf("state = %+v, want %+v", st["github/a/x"], want)
	}
	// Overwrite with no pending builds.
	want2 := ProjectState{ProjectSlug: "github/a/x", HighWater: 45, RunID: "r2", UpdatedAt: at}
	if _, err := s.Write(ctx, Batch{State: []ProjectState{want2}}); err != nil {
		t.Fatal(err)
	}
	st, _ = s.States(ctx)
	if len(st) != 1 || !reflect.DeepEqual(st["github/a/x"], want2) {
		t.Fatalf("state = %+v, want %+v", st, want2)
	}
	if n := count(t, s.DB(), "SELECT count(*) FROM sync_errors WHERE build_num IS NULL AND project_slug = 'github/a/y'"); n != 1 {
		t.Fatalf("project-level errors = %d, want 1 (build_num NULL)", n)
	}
	if n := count(t, s.DB(), "SELECT count(*) FROM sync_errors WHERE build_num = 41 AND stage = 'details'"); n != 1 {
		t.Fatalf("build errors = %d, want 1", n)
	}
}

// TestWriteFailureLeavesNothing checks atomicity: when any part of a batch fails, its rows,
// state and errors are all absent and the previous state is intact.
func TestWriteFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	db := s.DB()
	old := ProjectState{ProjectSlug: "github/a/x", HighWater: 1, RunID: "r0", UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := s.Write(ctx, Batch{Builds: record(t, db, "builds", build("github/a/x", 1, "success")), State: []ProjectState{old}}); err != nil {
		t.Fatal(err)
	}
	good := func() Batch {
		return Batch{
			Builds: record(t, db, "builds", build("github/a/x", 2, "success"), build("github/a/x", 1, "failed")),
			Steps:  record(t, db, "steps", step("github/a/x", 2, 0, 0, "x")),
			State:  []ProjectState{{ProjectSlug: "github/a/x", HighWater: 2, RunID: "r1"}},
			Errors: []SyncError{{RunID: "r1", Error: "e"}},
		}
	}
	cases := map[string]func() (context.Context, Batch){
		"NULL key in the last table": func() (context.Context, Batch) {
			b := good()
			b.Tests = record(t, db, "tests", map[string]any{"project_slug": "github/a/x", "build_num": 2})
			return ctx, b
		},
		"record of the wrong table": func() (context.Context, Batch) {
			b := good()
			b.Artifacts = record(t, db, "tests", map[string]any{"project_slug": "github/a/x", "build_num": 2, "test_index": 0})
			return ctx, b
		},
		"cancelled context": func() (context.Context, Batch) {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return c, good()
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			c, b := mk()
			if _, err := s.Write(c, b); err == nil {
				t.Fatal("Write succeeded, want an error")
			}
			if n := count(t, db, "SELECT count(*) FROM builds"); n != 1 {
				t.Errorf("builds = %d, want 1", n)
			}
			if n := count(t, db, "SELECT count(*) FROM builds WHERE status = 'success'"); n != 1 {
				t.Errorf("build 1 was changed")
			}
			if n := count(t, db, "SELECT count(*) FROM steps") + count(t, db, "SELECT count(*) FROM sync_errors"); n != 0 {
				t.Errorf("steps+errors = %d, want 0", n)
			}
			st, err := s.States(ctx)
			if err != nil || !reflect.DeepEqual(st["github/a/x"], old) {
				t.Errorf("state = %+v, %v; want %+v", st["github/a/x"], err, old)
			}
		})
	}
	// The store still works after the failures.
	if _, err := s.Write(ctx, good()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM builds"); n != 2 {
		t.Fatalf("builds = %d, want 2", n)
	}
}

func TestRuns(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.StartRun(ctx, Run{RunID: "r1", Trigger: "cli", StartedAt: start}); err != nil {
		t.Fatal(err)
	}
	var status string
	if err := s.DB().QueryRow("SELECT status FROM sync_runs WHERE run_id = 'r1' AND finished_at IS NULL").Scan(&status); err != nil || status != "running" {
		t.Fatalf("status = %q, %v", status, err)
	}
	r := Run{RunID: "r1", Trigger: "cli", StartedAt: start, FinishedAt: start.Add(time.Minute), Status: "partial",
		Projects: 2, Builds: 10, Steps: 30, Tests: 5, Requests: 40, Retries: 3, RateLimited: 1, Errors: 1, ErrorSummary: "github/a/y: list: HTTP 404"}
	if err := s.FinishRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	var got Run
	var fin time.Time
	if err := s.DB().QueryRow("SELECT status, finished_at, projects, builds_upserted, retries, error_summary FROM sync_runs").Scan(&got.Status, &fin, &got.Projects, &got.Builds, &got.Retries, &got.ErrorSummary); err != nil {
		t.Fatal(err)
	}
	if got.Status != "partial" || !fin.Equal(r.FinishedAt) || got.Projects != 2 || got.Builds != 10 || got.Retries != 3 || got.ErrorSummary != r.ErrorSummary {
		t.Fatalf("run = %+v %v", got, fin)
	}
	if n := count(t, s.DB(), "SELECT count(*) FROM sync_runs"); n != 1 {
		t.Fatalf("sync_runs = %d, want 1", n)
	}
}

func TestWriteRejectsMismatchedRecord(t *testing.T) {
	s, _ := openTemp(t)
	_, err := s.Write(context.Background(), Batch{Builds: record(t, s.DB(), "steps", step("github/a/x", 1, 0, 0, "x"))})
	if !errors.Is(err, errSchema) {
		t.Fatalf("err = %v, want errSchema", err)
	}
}
