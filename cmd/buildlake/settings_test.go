package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSettingsPrecedence: flag > environment > config file > default, for host, db and token.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	tokFile := filepath.Join(dir, "tok")
	os.WriteFile(tokFile, []byte("from-config-file\n"), 0o600)
	os.WriteFile(cfg, []byte("host: https://config.example\ndb: config.duckdb\ntoken_file: "+tokFile+"\n"), 0o600)
	t.Setenv("CIRCLECI_HOST", "")
	t.Setenv("BUILDLAKE_DB", "")
	t.Setenv("CIRCLECI_TOKEN", "")
	t.Setenv("CIRCLE_TOKEN", "")
	defer func() { global = globalFlags{} }()

	check := func(when, wantHost, wantDB, wantTok string) {
		t.Helper()
		h, err1 := resolveHost()
		d, err2 := resolveDBPath()
		tok, err3 := resolveToken()
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: %v %v %v", when, err1, err2, err3)
		}
		if h != wantHost || d != wantDB || tok != wantTok {
			t.Errorf("%s: got (%s, %s, %s), want (%s, %s, %s)", when, h, d, tok, wantHost, wantDB, wantTok)
		}
	}
	global = globalFlags{}
	check("defaults", defaultHost, defaultDB, "")
	global.config = cfg
	check("config", "https://config.example", "config.duckdb", "from-config-file")
	t.Setenv("CIRCLECI_HOST", "https://env.example/")
	t.Setenv("BUILDLAKE_DB", "env.duckdb")
	t.Setenv("CIRCLE_TOKEN", "from-env")
	check("env over config", "https://env.example", "env.duckdb", "from-env")
	global.host, global.db = "http://flag.example", "flag.duckdb"
	os.WriteFile(filepath.Join(dir, "flagtok"), []byte("from-flag"), 0o600)
	global.tokenFile = filepath.Join(dir, "flagtok")
	check("flags over env", "http://flag.example", "flag.duckdb", "from-flag")
}

func TestConfigUnknownKeyIsAUsageError(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("host: https://circleci.com\ntokn_file: /x\n"), 0o600)
	defer func() { global = globalFlags{} }()
	var stderr strings.Builder
	code := runWithStderr(t, &stderr, "sync", "--config", cfg, "--db", filepath.Join(t.TempDir(), "x.duckdb"))
	if code != exitUsage || !strings.Contains(stderr.String(), "tokn_file") {
		t.Fatalf("exit %d, stderr %q: want %d and a message naming tokn_file", code, stderr.String(), exitUsage)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-01-01":           time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"30d":                  now.AddDate(0, 0, -30),
		"12h":                  now.Add(-12 * time.Hour),
		"2026-11-01T10:00:00Z": time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "3x"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) accepted", bad)
		}
	}
}

// runWithStderr runs the CLI in-process and captures what it prints to stderr.
func runWithStderr(t *testing.T, stderr *strings.Builder, args ...string) int {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	code := run(context.Background(), args)
	os.Stderr = old
	w.Close()
	b := make([]byte, 1<<16)
	n, _ := r.Read(b)
	stderr.Write(b[:n])
	return code
}
