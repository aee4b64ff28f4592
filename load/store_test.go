package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesSchema(t *testing.T) {
	ctx := context.Background()
	s, p := openTemp(t)
	var n int
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('builds','steps','artifacts','tests','projects','sync_runs','sync_state','sync_errors','sync_pace','schema_version')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("tables = %d, want 10", n)
	}
	if v := count(t, s.DB(), "SELECT max(version) FROM schema_version"); v != SchemaVersion() {
		t.Fatalf("schema_version = %d, want %d", v, SchemaVersion())
	}
	// Reopening applies nothing twice.
	s.Close()
	s2, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n := count(t, s2.DB(), "SELECT count(*) FROM schema_version"); n != SchemaVersion() {
		t.Fatalf("schema_version rows = %d, want %d", n, SchemaVersion())
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, p := openTemp(t)
	if _, err := s.DB().Exec("INSERT INTO schema_version VALUES (99, now())"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, p); !errors.Is(err, errNewer) {
		t.Fatalf("err = %v, want errNewer", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	s, p := openTemp(t)
	if _, err := s.Write(ctx, Batch{Builds: record(t, s.DB(), "builds", build("github/a/x", 1, "success"))}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := OpenReadOnly(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, "SELECT count(*) FROM builds"); n != 1 {
		t.Fatalf("builds = %d", n)
	}
	if _, err := db.Exec("DELETE FROM builds"); err == nil {
		t.Fatal("a read-only connection could write")
	}
}

// The helper process: when BUILDLAKE_LOAD_HELPER names a database, the test binary opens it as
// the writer, prints "ready", and holds it until stdin closes. Standard os/exec helper pattern.
func TestMain(m *testing.M) {
	if p := os.Getenv("BUILDLAKE_LOAD_WRITER"); p != "" {
		writeForever(p)
	}
	if p := os.Getenv("BUILDLAKE_LOAD_READER"); p != "" {
		db, err := OpenReadOnly(context.Background(), p)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		bufio.NewReader(os.Stdin).ReadString('\n')
		db.Close()
		os.Exit(0)
	}
	if p := os.Getenv("BUILDLAKE_LOAD_HELPER"); p != "" {
		s, err := Open(context.Background(), p)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		bufio.NewReader(os.Stdin).ReadString('\n')
		s.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startHolder(t *testing.T, p string) *exec.Cmd { return startHelper(t, "BUILDLAKE_LOAD_HELPER", p) }

func startHelper(t *testing.T, env, p string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+p)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper said %q", line)
	}
	return cmd
}

func TestSecondWriterFailsAtOnce(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "b.duckdb")
	holder := startHolder(t, p)
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := Open(ctx, p)
	if err == nil {
		s.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if pid := fmt.Sprintf("pid %d", holder.Process.Pid); !strings.Contains(err.Error(), pid) {
		t.Fatalf("err = %q, want it to name %q", err, pid)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second Open took %v, want at once", d)
	}
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatal("second Open touched the database file")
	}
	// A reader is refused too while the writer holds the file (DuckDB's own lock, mapped).
	if db, err := OpenReadOnly(ctx, p); !errors.Is(err, ErrLocked) {
		if db != nil {
			db.Close()
		}
		t.Fatalf("OpenReadOnly err = %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), fmt.Sprint(holder.Process.Pid)) {
		t.Fatalf("OpenReadOnly err = %q, want the holder's pid", err)
	}
	// kill -9 of the holder frees the database for the next writer.
	holder.Process.Kill()
	holder.Wait()
	s, err = Open(ctx, p)
	if err != nil {
		t.Fatalf("Open after the holder died: %v", err)
	}
	s.Close()
}

func TestDuckDBLockErrorMapsToErrLocked(t *testing.T) {
	err := mapDuckLock("x.duckdb", errors.New(`IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held in /usr/bin/buildlake (PID 4242) by user u. See also https://duckdb.org/docs/stable/connect/concurrency`))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid 4242") || !strings.Contains(err.Error(), "/usr/bin/buildlake") {
		t.Fatalf("err = %v", err)
	}
	other := errors.New("IO Error: disk full")
	if got := mapDuckLock("x", other); got != other {
		t.Fatalf("unrelated error changed: %v", got)
	}
}

// A reader in another process (e.g. `buildlake serve`) holds DuckDB's own lock: the writer's Open
// must fail with ErrLocked naming it, and leave the file as it was.
func TestWriterRefusedWhileReaderHoldsFile(t *testing.T) {
	ctx := context.Background()
	s, p := openTemp(t)
	s.Close()
	reader := startHelper(t, "BUILDLAKE_LOAD_READER", p)
	_, err := Open(ctx, p)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", reader.Process.Pid)) {
		t.Fatalf("err = %v, want ErrLocked naming pid %d", err, reader.Process.Pid)
	}
	// The failed Open released the writer lock: once the reader is gone, a writer gets in.
	reader.Process.Kill()
	reader.Wait()
	s2, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}
