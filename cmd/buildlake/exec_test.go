package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// execEnv, when set to 1, makes the test binary behave as the buildlake command: the process
// tests re-execute it rather than link a second binary.
const execEnv = "BUILDLAKE_TEST_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// cli is one buildlake process started by a test.
type cli struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	started        time.Time
}

// startCLI starts `buildlake args…` with the token (if any) in CIRCLECI_TOKEN and no other
// CircleCI or buildlake settings from the test's environment.
func startCLI(t *testing.T, token string, args ...string) *cli {
	t.Helper()
	c := &cli{cmd: exec.Command(os.Args[0], args...)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CIRCLE") && !strings.HasPrefix(kv, "BUILDLAKE_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	c.cmd.Env = append(c.cmd.Env, execEnv+"=1")
	if token != "" {
		c.cmd.Env = append(c.cmd.Env, "CIRCLECI_TOKEN="+token)
	}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	return c
}

// wait waits for the process and returns its exit code (-1 when a signal killed it).
func (c *cli) wait(t *testing.T) int {
	t.Helper()
	err := c.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return c.cmd.ProcessState.ExitCode()
}

// signaled reports whether the process ended by a signal rather than by exiting.
func (c *cli) signaled() bool {
	ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// runCLI runs `buildlake args…` to the end and returns its exit code.
func runCLI(t *testing.T, token string, args ...string) (*cli, int) {
	t.Helper()
	c := startCLI(t, token, args...)
	return c, c.wait(t)
}

// simEpoch is the simulators' clock: fixed for the whole test binary so that every simulator with
// the same options serves the same data, and recent so that `--since 30d` covers all of it.
var simEpoch = time.Now().UTC().Truncate(time.Hour)

// simOptions is the dataset of the process tests: small, so that a sync takes a few seconds
// against the paced, 5 ms-latency simulator.
func simOptions() circlecitest.Options {
	return circlecitest.Options{Seed: 11, Projects: 2, BuildsPerProject: 45, Days: 10, Parallelism: 2, TestsPerJob: 4, Now: simEpoch}
}

func newSimServer(t *testing.T, o circlecitest.Options) *circlecitest.Server {
	t.Helper()
	srv := circlecitest.NewServer(o)
	t.Cleanup(srv.Close)
	return srv
}

// syncArgs are the arguments of a sync of srv into db.
func syncArgs(srv *circlecitest.Server, db string, more ...string) []string {
	return append([]string{"sync", "--host", srv.URL, "--db", db, "--since", "30d"}, more...)
}

var (
	baselineOnce sync.Once
	baselineSums map[string]string
	baselineErr  error
)

// baseline returns the table checksums of one uninterrupted, fault-free sync of simOptions, run
// in-process once for all the tests that compare against it.
func baseline(t *testing.T) map[string]string {
	t.Helper()
	baselineOnce.Do(func() {
		srv := circlecitest.NewServer(simOptions())
		defer srv.Close()
		path := filepath.Join(os.TempDir(), fmt.Sprintf("buildlake-baseline-%d.duckdb", os.Getpid()))
		defer os.Remove(path)
		defer os.Remove(path + ".lock")
		defer os.Remove(path + ".wal")
		ctx := context.Background()
		st, err := load.Open(ctx, path)
		if err != nil {
			baselineErr = err
			return
		}
		defer st.Close()
		res, err := pipeline.Sync(ctx, st, pipeline.Options{Host: srv.URL, Token: srv.Token, Since: simEpoch.AddDate(0, 0, -30), Rate: 2000})
		if err != nil || res.Status != pipeline.StatusSuccess {
			baselineErr = fmt.Errorf("baseline sync: %v (status %s)", err, res.Status)
			return
		}
		baselineSums, baselineErr = checksums(st.DB())
	})
	if baselineErr != nil {
		t.Fatal(baselineErr)
	}
	return baselineSums
}

// checksums hashes every data table's rows, without extracted_at (it records when).
func checksums(db *sql.DB) (map[string]string, error) {
	out := map[string]string{}
	for _, table := range []string{"builds", "steps", "artifacts", "tests", "projects"} {
		cols := "*"
		if table == "builds" || table == "projects" {
			cols = "* EXCLUDE (extracted_at)"
		}
		var n int64
		var sum sql.NullString
		q := fmt.Sprintf(`SELECT count(*), bit_xor(hash(t::VARCHAR))::VARCHAR FROM (SELECT %s FROM %s) t`, cols, table)
		if err := db.QueryRow(q).Scan(&n, &sum); err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no rows; the comparison would prove nothing", table)
		}
		out[table] = fmt.Sprintf("%d:%s", n, sum.String)
	}
	return out, nil
}

// inspectDB opens the database as the next sync would (writer lock, WAL replay, migrations) and
// returns the table checksums (nil while a table is still empty), the statuses of its runs,
// oldest first, and how many builds it holds.
func inspectDB(t *testing.T, path string) (sums map[string]string, statuses []string, builds int64) {
	t.Helper()
	ctx := context.Background()
	st, err := load.Open(ctx, path)
	if err != nil {
		t.Fatalf("the database does not open: %v", err)
	}
	defer st.Close()
	rows, err := st.DB().QueryContext(ctx, `SELECT status FROM sync_runs ORDER BY started_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM builds`).Scan(&builds); err != nil {
		t.Fatal(err)
	}
	sums, _ = checksums(st.DB())
	return sums, statuses, builds
}

// sameTables reports every table whose checksum differs from want.
func sameTables(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for table, sum := range want {
		if got[table] != sum {
			t.Errorf("%s: %s checksum %s, want %s (uninterrupted sync)", what, table, got[table], sum)
		}
	}
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
