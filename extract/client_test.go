package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "tok-5ecret-0123456789abcdef"

// fastConfig is a Config for tests: quick backoff, fixed high rate so pacing does not slow them.
func fastConfig(host string) Config {
	return Config{
		Host:           host,
		Token:          testToken,
		Rate:           10000,
		RequestTimeout: 2 * time.Second,
		backoffBase:    time.Millisecond,
		backoffCap:     5 * time.Millisecond,
	}
}

// newTestClient starts a loopback server with h and returns a client for it; edit may adjust
// the Config.
func newTestClient(t *testing.T, h http.HandlerFunc, edit ...func(*Config)) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := fastConfig(srv.URL)
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// testMethod fails the request when it is not method (go-github's helper).
func testMethod(t *testing.T, r *http.Request, method string) {
	t.Helper()
	if r.Method != method {
		t.Errorf("method %s, want %s", r.Method, method)
	}
}

func TestHeaders(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		if r.URL.Path != "/api/v1.1/me" || r.URL.RawQuery != "" {
			t.Errorf("path %s?%s, want /api/v1.1/me", r.URL.Path, r.URL.RawQuery)
		}
		fmt.Fprint(w, `{"login":"jdoe","name":null,"all_emails":["a@example.com"]}`)
	})
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.Login != String("jdoe") || me.Name.Valid || len(me.AllEmails) != 1 {
		t.Errorf("me: %+v", me)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.Get("Accept") != "application/json" {
		t.Errorf("Accept %q", got.Get("Accept"))
	}
	if got.Get("Circle-Token") != testToken {
		t.Errorf("Circle-Token header not sent")
	}
	if got.Get("Authorization") != "" {
		t.Errorf("token must only go in Circle-Token, got Authorization %q", got.Get("Authorization"))
	}
	if !strings.HasPrefix(got.Get("User-Agent"), "buildlake") {
		t.Errorf("User-Agent %q", got.Get("User-Agent"))
	}
}

func TestNoTokenSendsNoHeader(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header["Circle-Token"]; ok {
			t.Error("Circle-Token sent without a token")
		}
		if r.URL.Query().Has("circle-token") {
			t.Error("token query parameter sent")
		}
		fmt.Fprint(w, `[]`)
	}, func(c *Config) { c.Token = ""; c.UserAgent = "custom/1" })
	if _, err := c.ListProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Host: "circleci.com"},
		{Host: "ftp://circleci.com"},
		{Host: "https://user:" + testToken + "@circleci.com", Token: testToken},
		{Host: "https://circleci.com?circle-token=" + testToken},
		{Token: "abc\ndef"},
		{Rate: -1},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("New(%v) accepted a bad config", cfg)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error leaks the token: %v", err)
		}
	}
	c, err := New(Config{})
	if err != nil || c.base != "https://circleci.com/api/v1.1" {
		t.Errorf("default host: %v %v", c, err)
	}
}

func TestConfigAndClientNeverPrintToken(t *testing.T) {
	cfg := Config{Host: "https://circleci.com", Token: testToken}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), fmt.Sprintf("%v %+v %#v %v %s", c, c, c, c.token, c.token), logs.String()} {
		if strings.Contains(s, testToken) {
			t.Errorf("printed form leaks the token: %s", s)
		}
	}
}

func TestRedirectToOtherHostDropsToken(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Circle-Token") != "" {
			t.Error("token forwarded to another host on redirect")
		}
		fmt.Fprint(w, `[]`)
	}))
	defer other.Close()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		// 127.0.0.1 vs localhost: a different host for the redirect policy.
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/x", http.StatusFound)
	})
	if _, err := c.ListProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestStatsCounts(t *testing.T) {
	var mu sync.Mutex
	n := 0
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		switch k {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			fmt.Fprint(w, `[]`)
		}
	})
	if _, err := c.ListProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if s.Requests != 3 || s.Retries != 2 || s.RateLimited != 1 || s.Errors != 0 ||
		s.ByStatus[502] != 1 || s.ByStatus[429] != 1 || s.ByStatus[200] != 1 || s.CurrentRate != 10000 {
		t.Errorf("stats %+v", s)
	}
	s.ByStatus[200] = 99
	if c.Stats().ByStatus[200] != 1 {
		t.Error("Stats must return a copy of ByStatus")
	}
	if !errors.Is(c.fail(ErrServer), ErrServer) || c.Stats().Errors != 1 {
		t.Error("fail must count an error")
	}
}
