package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScheduleSampleConfigIsValid: the printed sample, with a token file that exists, passes the
// same start-up validation `schedule --config` applies.
func TestScheduleSampleConfigIsValid(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"schedule", "--print-sample-config"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "jobs:") {
		t.Fatalf("sample config lacks jobs:\n%s", out.String())
	}
	cfgPath := filepath.Join(dir, "buildlake.yaml")
	os.WriteFile(cfgPath, out.Bytes(), 0o600)
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte("sample-token"), 0o600)
	defer func() { global = globalFlags{} }()
	global = globalFlags{config: cfgPath, tokenFile: tok, db: filepath.Join(dir, "b.duckdb")}
	cfg, err := scheduleConfig()
	if err != nil {
		t.Fatalf("the printed sample does not validate: %v", err)
	}
	if cfg.DB != global.db || len(cfg.Jobs) == 0 {
		t.Errorf("--db did not override the file (%q) or no jobs (%d)", cfg.DB, len(cfg.Jobs))
	}
}

func TestScheduleUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("db: "+filepath.Join(dir, "b.duckdb")+"\njobs:\n  - name: x\n    cron: \"every tuesday\"\n"), 0o600)
	defer func() { global = globalFlags{} }()
	for name, args := range map[string][]string{
		"no config": {"schedule"},
		"bad cron":  {"schedule", "--config", bad},
	} {
		global = globalFlags{}
		var stderr strings.Builder
		if code := runWithStderr(t, &stderr, args...); code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr %q", name, code, exitUsage, stderr.String())
		}
		if name == "bad cron" && !strings.Contains(stderr.String(), `"x"`) {
			t.Errorf("bad cron: the message should name the job: %q", stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b.duckdb")); err == nil {
		t.Error("an invalid config created the database")
	}
}
