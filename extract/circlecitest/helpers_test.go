package circlecitest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testNow is a fixed clock so responses are reproducible.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func smallServer(t testing.TB, mod ...func(*Options)) *Server {
	t.Helper()
	o := Options{Seed: 7, BuildsPerProject: 60, Days: 20, TestsPerJob: 12, Now: testNow, Token: "secret-token"}
	for _, m := range mod {
		m(&o)
	}
	s := NewServer(o)
	t.Cleanup(s.Close)
	return s
}

type reqOpt func(*http.Request)

func noToken(r *http.Request)  { r.Header.Del("Circle-Token") }
func noAccept(r *http.Request) { r.Header.Del("Accept") }

func do(t testing.TB, s *Server, method, path string, body string, opts ...reqOpt) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+"/api/v1.1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Circle-Token", s.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON fetches path with the token and decodes it generically.
func getJSON(t testing.TB, s *Server, path string, opts ...reqOpt) any {
	t.Helper()
	code, _, b := do(t, s, "GET", path, "", opts...)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, code, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

func list(t testing.TB, s *Server, path string, opts ...reqOpt) []map[string]any {
	t.Helper()
	arr, ok := getJSON(t, s, path, opts...).([]any)
	if !ok {
		t.Fatalf("GET %s: not an array", path)
	}
	out := make([]map[string]any, len(arr))
	for i, e := range arr {
		out[i] = e.(map[string]any)
	}
	return out
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}
