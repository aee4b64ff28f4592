package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyncExitCodes runs `buildlake sync` as a process: 2 for a usage error (before touching
// the database), 1 for a partial failure with a summary naming the failed project, 0 on success.
func TestSyncExitCodes(t *testing.T) {
	t.Parallel()
	srv := newSimServer(t, simOptions())
	dir := t.TempDir()
	db := filepath.Join(dir, "b.duckdb")

	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"bad since", []string{"--since", "last tuesday"}, "--since"},
		{"bad shard", []string{"--shard", "3/2"}, "--shard"},
		{"shard not K/N", []string{"--shard", "x"}, "--shard"},
		{"bad project", []string{"--project", "acme/api"}, "--project"},
		{"unknown flag", []string{"--frobnicate"}, "frobnicate"},
	} {
		c, code := runCLI(t, srv.Token, append([]string{"sync", "--host", srv.URL, "--db", db}, tc.args...)...)
		if code != 2 {
			t.Errorf("%s: exit status %d, want 2; stderr: %s", tc.name, code, c.stderr.String())
		}
		if !strings.Contains(c.stderr.String(), tc.want) {
			t.Errorf("%s: stderr does not name %s: %q", tc.name, tc.want, c.stderr.String())
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a usage error created or touched the database: %v", err)
	}
	if n := sum(srv.Requests()); n != 0 {
		t.Errorf("usage errors made %d API requests", n)
	}

	missing := "github/acme/missing"
	c, code := runCLI(t, srv.Token, syncArgs(srv, db, "--rate", "1000", "--project", "github/acme/api", "--project", missing)...)
	t.Logf("partial failure: status %d; stderr:\n%s", code, c.stderr.String())
	if code != 1 {
		t.Errorf("partial failure: exit status %d, want 1", code)
	}
	if last := lastLine(c.stderr.String()); !strings.Contains(last, missing) {
		t.Errorf("partial failure: the final message does not name %s: %q", missing, last)
	}
	if _, statuses, builds := inspectDB(t, db); len(statuses) != 1 || statuses[0] != "partial" || builds == 0 {
		t.Errorf("partial failure: runs %v with %d builds, want [partial] and the good project's builds", statuses, builds)
	}

	c, code = runCLI(t, srv.Token, syncArgs(srv, db, "--rate", "1000")...)
	if code != 0 {
		t.Errorf("success: exit status %d, want 0; stderr: %s", code, c.stderr.String())
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
