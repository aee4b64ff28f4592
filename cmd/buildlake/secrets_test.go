package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
)

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestTokenNeverLeaks syncs with faults, in both log formats, with the token from the environment
// and from --token-file, and with a wrong token (401), then looks for the tokens in everything
// the runs produced: stdout, stderr, the database's bytes and rows, and the exported Parquet.
func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	token := "sekrit" + randomHex(t, 20)
	bad := "wrongtok" + randomHex(t, 20)
	o := simOptions()
	o.Token = token
	o.Faults = circlecitest.FaultRate(0.1)
	o.SlowBodyDelay = 300 * time.Millisecond
	srv := newSimServer(t, o)

	dir := t.TempDir()
	tokenFile := filepath.Join(t.TempDir(), "token") // outside dir: the one place the token belongs
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good, bads := filepath.Join(dir, "good.duckdb"), filepath.Join(dir, "bad.duckdb")
	parquet := filepath.Join(dir, "parquet")
	var outputs []*cli
	for _, run := range []struct {
		name     string
		token    string
		args     []string
		wantCode int
	}{
		{"env token, text logs", token, syncArgs(srv, good, "--rate", "500", "--log-format", "text", "--parquet-dir", parquet), 0},
		{"--token-file, json logs", "", syncArgs(srv, good, "--token-file", tokenFile, "--log-format", "json", "--parquet-dir", parquet), 0},
		{"wrong token, json logs", bad, syncArgs(srv, bads, "--log-format", "json"), 1},
		{"wrong token, text logs, F/OSS project beside a private one", bad,
			syncArgs(srv, bads, "--project", "github/acme/api", "--project", "github/acme/web", "--parquet-dir", parquet), 1},
	} {
		c, code := runCLI(t, run.token, run.args...)
		t.Logf("%s: status %d; stderr:\n%s", run.name, code, c.stderr.String())
		if code != run.wantCode {
			t.Errorf("%s: exit status %d, want %d", run.name, code, run.wantCode)
		}
		outputs = append(outputs, c)
	}
	if got := srv.Requests()["fault"]; got == 0 {
		t.Error("no fault was injected; the error paths were not exercised")
	}

	secrets := []string{token, bad, token[6:22], bad[8:24]}
	leak := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("token found in %s", where)
			}
		}
	}
	for i, c := range outputs {
		leak(fmt.Sprintf("stdout of run %d", i), c.stdout.Bytes())
		leak(fmt.Sprintf("stderr of run %d", i), c.stderr.Bytes())
	}
	// The database files' bytes (after the writers closed them), the lock files and any WAL.
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		leak(path, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Bytes can be compressed: read every row too, sync_runs and sync_errors included.
	for _, db := range []string{good, bads} {
		rows := scanDB(t, db, secrets)
		t.Logf("%s: %d rows scanned", filepath.Base(db), rows)
	}
	parquets := scanParquet(t, parquet, secrets)
	t.Logf("scanned %d files and %d Parquet files", files, parquets)
	if parquets == 0 {
		t.Error("no Parquet file was exported; the export was not checked")
	}
}

// scanDB reports every row of every table of the database at path that contains one of secrets,
// and returns how many rows it read.
func scanDB(t *testing.T, path string, secrets []string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := load.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := queryStrings(db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, table := range tables {
		var n, hits int64
		for _, s := range secrets {
			err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE contains(t::VARCHAR, ?)) FROM %q t`, table), s).Scan(&n, &hits)
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			if hits > 0 {
				t.Errorf("token found in %d rows of %s in %s", hits, table, filepath.Base(path))
			}
		}
		total += n
	}
	return total
}

// scanParquet reports every Parquet row under dir that contains one of secrets and returns how
// many files it read.
func scanParquet(t *testing.T, dir string, secrets []string) int {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		files++
		for _, s := range secrets {
			var hits int64
			if err := db.QueryRow(`SELECT count(*) FROM read_parquet(?) t WHERE contains(t::VARCHAR, ?)`, path, s).Scan(&hits); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if hits > 0 {
				t.Errorf("token found in %d rows of %s", hits, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func queryStrings(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
