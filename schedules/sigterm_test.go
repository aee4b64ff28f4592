package schedules

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
)

// childEnv names the config file when the test binary is re-executed as a scheduler process.
const childEnv = "BUILDLAKE_SCHEDULE_TEST_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(childMain(path))
	}
	os.Exit(m.Run())
}

// childMain is what `buildlake schedule` does, in the re-executed test binary.
func childMain(path string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := LoadConfig(path)
	if err != nil {
		log.Error("bad config", "err", err)
		return 2
	}
	if err := Run(ctx, cfg, RunOptions{Logger: log}); err != nil {
		log.Error("scheduler failed", "err", err)
		return 1
	}
	return 0
}

// child is a scheduler process under test, with its JSON log lines.
type child struct {
	cmd   *exec.Cmd
	lines chan map[string]any
	mu    sync.Mutex
	raw   strings.Builder
	done  chan error
}

func startChild(t *testing.T, cfgPath string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+cfgPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan map[string]any, 1024), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			c.mu.Lock()
			c.raw.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				select {
				case c.lines <- m:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		close(c.lines)
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // a no-op once it has exited
	return c
}

// await reads log lines until one matches, failing after timeout.
func (c *child) await(t *testing.T, timeout time.Duration, what string, match func(map[string]any) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before %s; log:\n%s", what, c.log())
			}
			if match(m) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s within %s; log:\n%s", what, timeout, c.log())
		}
	}
}

// terminate sends SIGTERM and returns how long the process took to exit, and its error.
func (c *child) terminate(t *testing.T, limit time.Duration) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range c.lines { // keep draining so the reader can reach Wait
		}
	}()
	select {
	case err := <-c.done:
		return time.Since(start), err
	case <-time.After(limit):
		_ = c.cmd.Process.Kill()
		t.Fatalf("child still running %s after SIGTERM; log:\n%s", limit, c.log())
		return 0, nil
	}
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.raw.String()
}

func msgIs(msg string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["msg"] == msg }
}

// SIGTERM in the middle of a run: the process waits out the grace period, cancels the run,
// records it, closes the store and exits 0 soon after; a new process opens the same file and
// its runs continue from the committed state to a full, clean dataset.
func TestSIGTERMMidRunThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts scheduler processes")
	}
	// Slow enough (latency, concurrency 2) that the first run is still going when SIGTERM comes.
	sim := circlecitest.NewServer(circlecitest.Options{Seed: 3, Projects: 2, BuildsPerProject: 60, Latency: 15 * time.Millisecond})
	defer sim.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "buildlake.duckdb")
	write := func(name, speed string) string {
		p := filepath.Join(dir, name)
		cfg := simConfig(t, sim) + fmt.Sprintf("db: %s\ngrace_period: 1s\njobs:\n  - {name: inc, cron: '@every 1s', %s}\n", db, speed)
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	first := startChild(t, write("slow.yaml", "concurrency: 2, rate: 50"))
	first.await(t, 20*time.Second, "a run starting", msgIs("run starting"))
	time.Sleep(700 * time.Millisecond) // well into the run
	took, err := first.terminate(t, 10*time.Second)
	if err != nil {
		t.Fatalf("first process: %v; log:\n%s", err, first.log())
	}
	if took > 5*time.Second {
		t.Errorf("exit took %s after SIGTERM; grace period is 1s", took)
	}
	if log := first.log(); !strings.Contains(log, "grace period over") || !strings.Contains(log, `"status":"canceled"`) ||
		!strings.Contains(log, "scheduler stopped") || strings.Contains(log, sim.Token) {
		t.Errorf("first process log lacks the cancellation story or shows the token:\n%s", log)
	}

	second := startChild(t, write("fast.yaml", "concurrency: 16, rate: 2000"))
	second.await(t, 30*time.Second, "a successful run after restart", func(m map[string]any) bool {
		return m["msg"] == "run finished" && m["status"] == "success"
	})
	took, err = second.terminate(t, 10*time.Second)
	if err != nil || took > 4*time.Second {
		t.Fatalf("second process: exit after %s, err %v; log:\n%s", took, err, second.log())
	}

	store, err := load.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runs := runsOf(t, store.DB(), "schedule:inc")
	if len(runs) < 2 || runs[0].status != "canceled" || !runs[0].finished.Valid {
		t.Fatalf("runs = %+v, want the first canceled and recorded", runs)
	}
	var success, running int
	for _, r := range runs[1:] {
		switch r.status {
		case "success":
			success++
		case "running":
			running++
		}
	}
	var builds int
	if err := store.DB().QueryRow(`SELECT count(*) FROM builds`).Scan(&builds); err != nil {
		t.Fatal(err)
	}
	if success == 0 || running != 0 || builds != 120 {
		t.Fatalf("after restart: %d successful runs, %d left running, %d builds (want 120); runs %+v", success, running, builds, runs)
	}
}

// A taken listen address fails start-up with a message naming it, before the database exists.
func TestRunFailsOnTakenListenAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "b.duckdb")
	cfg := mustValidate(t, fmt.Sprintf("db: %s\nlisten: %s\njobs:\n  - {name: a, cron: '@hourly'}\n", db, ln.Addr()))
	err = Run(context.Background(), cfg, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "could not listen on "+ln.Addr().String()) {
		t.Fatalf("err = %v", err)
	}
	if _, serr := os.Stat(db); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("database created despite the failed start-up (%v)", serr)
	}
}
