package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
)

// TestKillNineThenResume kills `buildlake sync` with SIGKILL at random moments (opening the
// database, listing, fetching, committing a batch), checks that the database opens after each
// kill, then lets a sync finish: the tables must equal those of an uninterrupted sync.
func TestKillNineThenResume(t *testing.T) {
	t.Parallel()
	want := baseline(t)
	o := simOptions()
	o.Latency = 5 * time.Millisecond
	srv := newSimServer(t, o)
	db := filepath.Join(t.TempDir(), "b.duckdb")

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("kill moments drawn with seed %d", seed)
	// Runs go on until wantKilled of them were killed while running (a run that ends before its
	// kill moment proves nothing), at most maxRuns. A kill moment is a number of API requests
	// served, so that machine load does not shift the kills towards the start: a full sync makes
	// about 280 (measured as the runs go) and commits its first batch after about 200 (2 s at
	// --rate 100). Moments cycle
	// through strata: start-up (creating, opening or migrating the database, 0-300 ms after
	// exec), listing and the first fetches [0, 200), and after the first commit [200, full run), which
	// gets half of the runs, so that several kills land between or during commits.
	const wantKilled, maxRuns, firstCommit = 10, 24, 200
	fullRun := int64(330) // lowered to what a --full run that ended before its kill served
	killed, killedAfterCommit := 0, 0
	var before int64 // builds stored before the run
	for i := 0; i < maxRuns && killed < wantKilled; i++ {
		// Most runs re-read everything (--full; the first run does anyway), so that any moment of
		// a whole sync can be hit; every third resumes incrementally from what the kills left.
		args := syncArgs(srv, db, "--rate", "100", "--full")
		var moment int64
		var delay time.Duration
		switch {
		case i == 0: // the first run dies while it creates the database
			delay = time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
		case i%3 == 2:
			args = args[:len(args)-1]
			moment = 1 + rng.Int64N(60)
		case i%2 == 1:
			moment = firstCommit + rng.Int64N(fullRun-firstCommit)
		default:
			moment = 1 + rng.Int64N(firstCommit)
		}
		base := sum(srv.Requests())
		c := startCLI(t, srv.Token, args...)
		code, at := c.killAt(t, srv, base, moment, delay)
		outcome := "killed"
		if c.signaled() {
			killed++
			if moment >= firstCommit {
				killedAfterCommit++
			}
		} else {
			outcome = fmt.Sprintf("had exited with status %d", code)
			if code != 0 {
				t.Errorf("run %d exited with status %d before the kill: %s", i, code, c.stderr.String())
			}
			if served := sum(srv.Requests()) - base; i%3 != 2 && served > firstCommit && served < fullRun {
				fullRun = served
			}
		}
		_, statuses, builds := inspectDB(t, db) // the database opens after every kill
		t.Logf("run %d (%s) at %s: %s; %d builds stored (%+d); runs %v", i, strings.Join(args[7:], " "), at, outcome, builds, builds-before, statuses)
		before = builds
	}
	if killed < wantKilled {
		t.Errorf("only %d runs were killed while running, want %d; the test proves little", killed, wantKilled)
	}
	if killedAfterCommit < 3 {
		t.Errorf("only %d kills landed after the first batch commit, want at least 3", killedAfterCommit)
	}

	c, code := runCLI(t, srv.Token, syncArgs(srv, db, "--rate", "100")...)
	if code != 0 {
		t.Fatalf("the sync after the kills: status %d: %s", code, c.stderr.String())
	}
	t.Logf("the sync after the kills: %s", time.Since(c.started).Round(time.Millisecond))
	got, statuses, _ := inspectDB(t, db)
	if last := statuses[len(statuses)-1]; last != "success" {
		t.Errorf("last run status %q, want success", last)
	}
	if slices.Contains(statuses, "running") {
		t.Errorf("runs killed earlier still show as running: %v", statuses)
	}
	sameTables(t, "after kill -9 and resume", got, want)
}

// TestSecondWriterFailsAtOnce starts a sync, then a second one on the same database: the second
// must fail within 2 s with exit status 1, name the first process, ask the API nothing and leave
// the database alone.
func TestSecondWriterFailsAtOnce(t *testing.T) {
	t.Parallel()
	o := simOptions()
	o.Latency = 5 * time.Millisecond
	srv := newSimServer(t, o)
	other := newSimServer(t, simOptions()) // the second writer's API: it must see no request
	db := filepath.Join(t.TempDir(), "b.duckdb")

	first := startCLI(t, srv.Token, syncArgs(srv, db, "--rate", "50")...)
	waitFor(t, 20*time.Second, "the first sync to fetch builds", func() bool { return srv.Requests()["details"] >= 5 })
	lockBefore, err := os.ReadFile(db + ".lock")
	if err != nil {
		t.Fatal(err)
	}

	second, code := runCLI(t, other.Token, syncArgs(other, db)...)
	took := time.Since(second.started)
	t.Logf("second writer: status %d after %s: %s", code, took.Round(time.Millisecond), strings.TrimSpace(second.stderr.String()))
	if code != 1 {
		t.Errorf("second writer: exit status %d, want 1", code)
	}
	if took > 2*time.Second {
		t.Errorf("second writer took %s to fail, want < 2s", took)
	}
	if pid := fmt.Sprintf("pid %d", first.cmd.Process.Pid); !strings.Contains(second.stderr.String(), pid) {
		t.Errorf("second writer's message does not name the holder (%s): %q", pid, second.stderr.String())
	}
	if n := sum(other.Requests()); n != 0 {
		t.Errorf("second writer made %d API requests, want 0", n)
	}
	if lockAfter, _ := os.ReadFile(db + ".lock"); string(lockAfter) != string(lockBefore) {
		t.Errorf("second writer rewrote the lock file: %q → %q", lockBefore, lockAfter)
	}

	_ = first.cmd.Process.Signal(syscall.SIGTERM)
	first.wait(t)
	if _, statuses, _ := inspectDB(t, db); len(statuses) != 1 {
		t.Errorf("sync_runs holds %d runs (%v), want only the first writer's", len(statuses), statuses)
	}
}

// TestSigtermMidSync sends SIGTERM while a sync fetches, some of its requests stalled in slow
// bodies: it must exit within 10 s, record its run as canceled, and leave a state from which the
// next sync reaches the uninterrupted result.
func TestSigtermMidSync(t *testing.T) {
	t.Parallel()
	want := baseline(t)
	o := simOptions()
	o.Latency = 5 * time.Millisecond
	o.Faults = circlecitest.Faults{Slow: 0.05}
	o.SlowBodyDelay = time.Minute // beyond the client's 30 s request timeout
	srv := newSimServer(t, o)
	db := filepath.Join(t.TempDir(), "b.duckdb")

	c := startCLI(t, srv.Token, syncArgs(srv, db, "--rate", "60")...)
	// A slow body stalls for a minute, so every one served so far is still stalled.
	waitFor(t, 20*time.Second, "the sync to fetch builds and stall in a slow body", func() bool {
		r := srv.Requests()
		return r["details"] >= 30 && r["fault"] >= 1
	})
	sent := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := c.wait(t)
	took := time.Since(sent)
	t.Logf("SIGTERM: exit status %d after %s; stderr: %s", code, took.Round(time.Millisecond), strings.TrimSpace(c.stderr.String()))
	if c.signaled() {
		t.Fatal("the sync died of the signal instead of shutting down")
	}
	if took > 10*time.Second {
		t.Errorf("exit took %s after SIGTERM, want < 10s", took)
	}
	if code != 1 {
		t.Errorf("a canceled sync exited %d, want 1", code)
	}
	if last := lastLine(c.stderr.String()); !strings.Contains(last, "canceled") {
		t.Errorf("the last line does not say the sync was canceled: %q", last)
	}
	if _, statuses, _ := inspectDB(t, db); len(statuses) != 1 || statuses[0] != "canceled" {
		t.Errorf("sync_runs statuses %v, want [canceled]", statuses)
	}

	clean := newSimServer(t, simOptions()) // same data, no stalls
	next, code := runCLI(t, clean.Token, syncArgs(clean, db, "--rate", "500")...)
	if code != 0 {
		t.Fatalf("the sync after SIGTERM: status %d: %s", code, next.stderr.String())
	}
	got, _, _ := inspectDB(t, db)
	sameTables(t, "after SIGTERM and another sync", got, want)
}

// killAt sends SIGKILL once srv has served n requests more than base, or after delay when n is
// 0, unless the process exits first; it returns the exit code and where the kill was aimed.
func (c *cli) killAt(t *testing.T, srv *circlecitest.Server, base, n int64, delay time.Duration) (int, string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.cmd.Wait()
	}()
	at := fmt.Sprintf("request %d", n)
	if n == 0 {
		at = fmt.Sprintf("%s after start", delay.Round(time.Millisecond))
	}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	timer := time.NewTimer(delay)
	defer timer.Stop()
loop:
	for {
		select {
		case <-done:
			break loop
		case <-timer.C:
			if n == 0 {
				_ = c.cmd.Process.Signal(syscall.SIGKILL)
			}
		case <-tick.C:
			if n > 0 && sum(srv.Requests())-base >= n {
				_ = c.cmd.Process.Signal(syscall.SIGKILL)
				n = -1
			}
		}
	}
	return c.cmd.ProcessState.ExitCode(), at
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
