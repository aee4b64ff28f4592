package dashboards

import (
	"bufio"
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
)

// helperHoldLock, in a child process started by TestServesLastGoodAnswerWhileLocked, opens the
// database read-write (as a sync does) and holds it until its stdin closes. DuckDB's lock is
// per process, so only another process shows what serve meets beside a cron-driven sync.
func helperHoldLock() bool {
	path := os.Getenv("BUILDLAKE_TEST_HOLD_LOCK")
	if path == "" {
		return false
	}
	store, err := load.Open(context.Background(), path)
	if err != nil {
		os.Stdout.WriteString("error " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	store.Close()
	return true
}

// holdLock starts a child process that opens path read-write, as a running sync does, and
// returns when it holds the file; the returned func ends it (safe to call twice).
func holdLock(t *testing.T, path string) func() {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BUILDLAKE_TEST_HOLD_LOCK="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { stdin.Close(); cmd.Wait() }) }
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		release()
		t.Fatalf("lock holder said %q", line)
	}
	return release
}

func TestServesLastGoodAnswerWhileLocked(t *testing.T) {
	path := copyFixture(t, sharedFixture(t)) // its own file: the lock would disturb the other tests
	// A clock that moves a minute per reading: a kept answer must carry its own time, not now.
	var ticks atomic.Int64
	clock := func() time.Time { return fixtureNow.Add(time.Duration(ticks.Add(1)) * time.Minute) }
	srv := httptest.NewServer(Handler(Options{DBPath: path, Now: clock}))
	t.Cleanup(srv.Close)
	status, fresh := getJSON(t, srv, "/api/query/flaky-tests")
	if status != http.StatusOK || fresh["stale"] != false {
		t.Fatalf("before the lock: %d %v", status, fresh)
	}

	release := holdLock(t, path)
	defer release()

	start := time.Now()
	status, stale := getJSON(t, srv, "/api/query/flaky-tests")
	if status != http.StatusOK || stale["stale"] != true || stale["as_of"] != fresh["as_of"] || rowCount(t, stale) != rowCount(t, fresh) {
		t.Errorf("while locked: %d %v, want the kept answer marked stale, as of %v", status, stale, fresh["as_of"])
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stale answer took %v: the retry must stay short", d)
	}
	status, never := getJSON(t, srv, "/api/query/flaky-jobs")
	if status != http.StatusServiceUnavailable || never["error"] == nil {
		t.Errorf("while locked, never answered before: %d %v, want 503 JSON", status, never)
	}

	release()
	status, again := getJSON(t, srv, "/api/query/flaky-jobs")
	if status != http.StatusOK || again["stale"] != false {
		t.Errorf("after the lock: %d %v", status, again)
	}
}

func copyFixture(t *testing.T, from string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "copy.duckdb")
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestOpenDBBusyConnectionServesLastAnswer covers the scheduler's case: Options.OpenDB hands over
// a writer's pool of one connection, which a sync holds for its whole transaction.
func TestOpenDBBusyConnectionServesLastAnswer(t *testing.T) {
	db, err := openReadOnly(context.Background(), sharedFixture(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	srv := httptest.NewServer(Handler(Options{Now: func() time.Time { return fixtureNow },
		OpenDB: func(context.Context) (*sql.DB, error) { return db, nil }}))
	t.Cleanup(srv.Close)
	status, fresh := getJSON(t, srv, "/api/kpis")
	if status != http.StatusOK || fresh["stale"] != false {
		t.Fatalf("idle pool: %d %v", status, fresh)
	}

	held, err := db.Conn(context.Background()) // the "sync" takes the only connection
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	status, stale := getJSON(t, srv, "/api/kpis")
	if status != http.StatusOK || stale["stale"] != true {
		t.Errorf("busy pool: %d %v, want the last answer marked stale", status, stale)
	}
	if d := time.Since(start); d > connWait+time.Second {
		t.Errorf("busy pool answered after %v, want about %v", d, connWait)
	}
	held.Close()
	if status, again := getJSON(t, srv, "/api/kpis"); status != http.StatusOK || again["stale"] != false {
		t.Errorf("after the sync: %d %v", status, again)
	}
	if db.Ping() != nil {
		t.Errorf("the dashboard closed a DB it does not own")
	}
}
