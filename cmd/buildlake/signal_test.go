package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// exitRecorder stands in for os.Exit in shutdownOnSignal: it records the code and when.
type exitRecorder struct {
	mu   sync.Mutex
	code int
	at   time.Time
	done chan struct{}
}

func newExitRecorder() *exitRecorder { return &exitRecorder{code: -1, done: make(chan struct{})} }

func (e *exitRecorder) exit(code int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.code, e.at = code, time.Now()
	close(e.done)
}

// TestSigtermWatchdog: the first signal cancels the command's context; if the command is still
// running after the grace period the process exits with status 1.
func TestSigtermWatchdog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	rec := newExitRecorder()
	var stderr syncBuffer
	const grace = 300 * time.Millisecond
	go shutdownOnSignal(sigs, cancel, grace, &stderr, rec.exit)

	sent := time.Now()
	sigs <- syscall.SIGTERM
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the first signal did not cancel the command")
	}
	select {
	case <-rec.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watchdog never exited")
	}
	if took := rec.at.Sub(sent); rec.code != exitFailure || took < grace {
		t.Errorf("exit(%d) %s after the signal, want exit(1) after the %s grace", rec.code, took, grace)
	}
	if !strings.Contains(stderr.String(), "quitting") {
		t.Errorf("stderr does not say why it quit: %q", stderr.String())
	}
}

// TestSigtermTwiceExitsAtOnce: a second signal does not wait for the grace period.
func TestSigtermTwiceExitsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	rec := newExitRecorder()
	var stderr syncBuffer
	go shutdownOnSignal(sigs, cancel, time.Hour, &stderr, rec.exit)
	sigs <- syscall.SIGINT
	<-ctx.Done()
	sent := time.Now()
	sigs <- syscall.SIGINT
	select {
	case <-rec.done:
	case <-time.After(5 * time.Second):
		t.Fatal("a second signal did not exit")
	}
	if rec.code != exitFailure || rec.at.Sub(sent) > time.Second {
		t.Errorf("exit(%d) %s after the second signal, want exit(1) at once", rec.code, rec.at.Sub(sent))
	}
}

// TestSigtermTwiceMidSync: a real sync given two SIGTERMs in a row exits at once with status 1
// (not killed by the signal: the second one is not swallowed either), and the database opens and
// is completed by the next sync.
func TestSigtermTwiceMidSync(t *testing.T) {
	t.Parallel()
	want := baseline(t)
	o := simOptions()
	o.Latency = 5 * time.Millisecond
	srv := newSimServer(t, o)
	db := filepath.Join(t.TempDir(), "b.duckdb")

	c := startCLI(t, srv.Token, syncArgs(srv, db, "--rate", "60")...)
	waitFor(t, 20*time.Second, "the sync to fetch builds", func() bool { return srv.Requests()["details"] >= 10 })
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(20 * time.Millisecond)
	sent := time.Now()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	code := c.wait(t)
	took := time.Since(sent)
	t.Logf("two SIGTERMs: exit status %d %s after the second; stderr: %s", code, took.Round(time.Millisecond), strings.TrimSpace(c.stderr.String()))
	if c.signaled() {
		t.Fatal("the sync died of the signal instead of exiting")
	}
	if code != exitFailure {
		t.Errorf("exit status %d, want 1", code)
	}
	if took > 2*time.Second {
		t.Errorf("exit took %s after the second SIGTERM, want at once", took)
	}
	inspectDB(t, db) // fails the test if the database does not open

	next, code := runCLI(t, srv.Token, syncArgs(srv, db, "--rate", "500")...)
	if code != 0 {
		t.Fatalf("the sync after two SIGTERMs: status %d: %s", code, next.stderr.String())
	}
	got, _, _ := inspectDB(t, db)
	sameTables(t, "after two SIGTERMs and another sync", got, want)
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
