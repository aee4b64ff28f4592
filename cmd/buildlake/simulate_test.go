package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSimulateCommand starts `buildlake simulate` in-process, reads its url/token line, calls the
// API with the token, checks the truth file, and stops it by cancelling its context (SIGINT).
func TestSimulateCommand(t *testing.T) {
	truth := filepath.Join(t.TempDir(), "truth.json")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newRootCmd()
	cmd.SetOut(pw)
	cmd.SetArgs([]string{"simulate", "--seed", "5", "--projects", "2", "--builds", "40", "--truth", truth})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx); pw.Close() }()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url, token := parseSimulateLine(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || token == "" {
		t.Fatalf("first line %q: want url=http://127.0.0.1:… token=…", line)
	}
	for tok, want := range map[string]int{token: 200, "wrong": 401} {
		req, _ := http.NewRequest("GET", url+"/api/v1.1/me", nil)
		req.Header.Set("Circle-Token", tok)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /me with token %q: %d, want %d", tok, resp.StatusCode, want)
		}
	}
	b, err := os.ReadFile(truth)
	if err != nil {
		t.Fatal(err)
	}
	var tr map[string]json.RawMessage
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"flaky_tests", "flaky_jobs", "regression", "queue_crunch"} {
		if _, ok := tr[k]; !ok {
			t.Errorf("truth file lacks %q", k)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("simulate returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("simulate did not stop within 5 s of cancel")
	}
}

func TestSimulateRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"simulate", "--fault-rate", "1.5"},
		{"simulate", "--projects", "0"},
		{"simulate", "--listen", "nonsense"},
		{"simulate", "--now", "yesterday"},
		{"simulate", "--workflows", "0"},
	} {
		if code := run(context.Background(), args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestDemo runs the demo on a small simulated account: it must sync, export, write the dashboard
// and print the counts and the canned queries.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	err := runDemo(context.Background(), &out, io.Discard, demoFlags{dir: dir, seed: 2, projects: 2, builds: 120, days: 20})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"success", "builds", "== flaky-tests", "== queue-time-trend", "dashboard:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	for _, p := range []string{"buildlake.duckdb", "dashboard.html", "parquet/builds", "parquet/projects"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("demo did not write %s: %v", p, err)
		}
	}
	// A second demo in the same directory starts afresh instead of failing.
	out.Reset()
	if err := runDemo(context.Background(), &out, io.Discard, demoFlags{dir: dir, seed: 2, projects: 2, builds: 120, days: 20}); err != nil {
		t.Fatalf("second demo: %v", err)
	}
}

// startSimulate runs `buildlake simulate args…` in-process and returns its URL and token; the
// command stops when the test ends.
func startSimulate(t *testing.T, args ...string) (string, string) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newRootCmd()
	cmd.SetOut(pw)
	cmd.SetArgs(append([]string{"simulate"}, args...))
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("simulate did not stop within 5 s of cancel")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	return parseSimulateLine(line)
}

func simGet(t *testing.T, url, token, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1.1"+path, nil)
	req.Header.Set("Circle-Token", token)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return b
}

// TestSimulateFixedClockIsByteIdentical: with --now the clock stands still, so two runs with the
// same flags (and one run read twice, a second apart) serve byte-identical responses;
// --workflows adds the extra workflows.
func TestSimulateFixedClockIsByteIdentical(t *testing.T) {
	args := []string{"--seed", "5", "--projects", "2", "--builds", "60", "--token", "t0k", "--now", "2026-06-01T12:00:00Z", "--workflows", "2"}
	paths := []string{"/project/github/acme/api?limit=100", "/project/github/acme/api/55", "/recent-builds?limit=50"}
	url1, tok := startSimulate(t, args...)
	url2, _ := startSimulate(t, args...)
	first := map[string][]byte{}
	for _, p := range paths {
		first[p] = simGet(t, url1, tok, p)
		if b := simGet(t, url2, tok, p); !bytes.Equal(first[p], b) {
			t.Errorf("%s differs between two runs with the same flags", p)
		}
	}
	time.Sleep(1100 * time.Millisecond) // the wall clock ticks; a fixed simulated clock must not
	for _, p := range paths {
		if b := simGet(t, url1, tok, p); !bytes.Equal(first[p], b) {
			t.Errorf("%s changed a second later with --now", p)
		}
	}
	var builds []struct {
		QueuedAt  string `json:"queued_at"`
		Workflows *struct {
			WorkflowName string `json:"workflow_name"`
		} `json:"workflows"`
	}
	if err := json.Unmarshal(first[paths[0]], &builds); err != nil {
		t.Fatal(err)
	}
	var e2e bool
	for _, b := range builds {
		e2e = e2e || (b.Workflows != nil && b.Workflows.WorkflowName == "nightly-e2e-1")
		if b.QueuedAt > "2026-06-01T12:00:00.000Z" {
			t.Errorf("queued_at %s is after --now", b.QueuedAt)
		}
	}
	if !e2e {
		t.Error("--workflows 2: no build in a nightly-e2e-1 workflow")
	}
}

// parseSimulateLine reads the url= and token= fields of simulate's first line.
func parseSimulateLine(line string) (url, token string) {
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "url":
			url = v
		case "token":
			token = v
		}
	}
	return url, token
}
