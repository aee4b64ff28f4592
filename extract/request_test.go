package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTypedErrors(t *testing.T) {
	for _, tc := range []struct {
		status   int
		body     string
		sentinel error
		attempts int64
	}{
		{401, `{"message":"You must log in first."}`, ErrUnauthorized, 1},
		{403, `{"message":"Permission denied"}`, ErrForbidden, 1},
		{404, `{"message":"Project not found"}`, ErrNotFound, 1},
		{400, `bad request`, nil, 1},
		{429, `Too Many Requests {"not":"json"`, ErrRateLimited, 3},
		{500, `<html>oops</html>`, ErrServer, 3},
		{503, ``, ErrServer, 3},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 429 {
					w.Header().Set("Retry-After", "0")
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}, func(c *Config) { c.MaxRetries = 2 })
			_, err := c.GetBuild(context.Background(), "github/acme/api", 1)
			if err == nil {
				t.Fatal("want an error")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.sentinel)
			}
			for _, other := range []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrServer, ErrDecode} {
				if other != tc.sentinel && errors.Is(err, other) {
					t.Errorf("%v also matches %v", err, other)
				}
			}
			apiErr, ok := errors.AsType[*APIError](err)
			if !ok || apiErr.StatusCode != tc.status || apiErr.Method != "GET" ||
				apiErr.URL != c.base+"/project/github/acme/api/1" {
				t.Errorf("APIError %+v", apiErr)
			}
			if tc.status == 404 && apiErr.Message != "Project not found" {
				t.Errorf("message %q", apiErr.Message)
			}
			if tc.status == 429 {
				rl, ok := errors.AsType[*RateLimitError](err)
				if !ok || !strings.HasPrefix(rl.Message, "Too Many Requests") {
					t.Errorf("429 must be a *RateLimitError with the plain-text body: %v", err)
				}
			}
			if got := c.Stats().Requests; got != tc.attempts {
				t.Errorf("%d attempts, want %d (4xx other than 429 are never retried)", got, tc.attempts)
			}
			if c.Stats().Errors != 1 {
				t.Errorf("errors %d", c.Stats().Errors)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"999999", maxRetryAfter, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// flaky returns a handler that runs fault for the first n requests, then serves body.
func flaky(n int64, body string, fault func(w http.ResponseWriter, r *http.Request)) (http.HandlerFunc, *atomic.Int64) {
	var count atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			fault(w, r)
			return
		}
		fmt.Fprint(w, body)
	}, &count
}

func TestRetriesTransientFaults(t *testing.T) {
	const body = `{"build_num":7,"status":"success"}`
	faults := map[string]func(w http.ResponseWriter, r *http.Request){
		"5xx": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
		"reset": func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		},
		"truncated": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			fmt.Fprint(w, body[:10])
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		},
		"truncated JSON": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body[:15]) },
		"EDN":            func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{:build_num 7}`) },
		"slow body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			fmt.Fprint(w, body[:5])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		},
		"slow headers": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		},
		"429 with date": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(-time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"429 without Retry-After": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) },
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			h, count := flaky(2, body, fault)
			c, _ := newTestClient(t, h, func(c *Config) { c.RequestTimeout = 150 * time.Millisecond })
			b, err := c.GetBuild(context.Background(), "github/acme/api", 7)
			if err != nil {
				t.Fatal(err)
			}
			if b.BuildNum != Int(7) || count.Load() != 3 {
				t.Errorf("build %v after %d requests, want #7 after 3", b.BuildNum, count.Load())
			}
			if s := c.Stats(); s.Retries != 2 || s.Requests != 3 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h, _ := flaky(1, `[]`, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := newTestClient(t, h)
	start := time.Now()
	if _, err := c.ListProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 950*time.Millisecond {
		t.Errorf("retried after %v, before Retry-After: 1", d)
	}
	// The pause was global: another request issued during it would also have waited; after it
	// nothing waits.
	start = time.Now()
	if _, err := c.ListProjects(context.Background()); err != nil || time.Since(start) > 500*time.Millisecond {
		t.Errorf("after the pause: %v in %v", err, time.Since(start))
	}
}

func TestRetryAfterPausesEveryone(t *testing.T) {
	var limited atomic.Int64
	var projectsAt atomic.Int64
	start := time.Now()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1.1/me" && limited.Add(1) <= 3 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if r.URL.Path == "/api/v1.1/projects" {
			projectsAt.Store(int64(time.Since(start)))
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprint(w, `{"login":"x"}`)
	}, func(c *Config) { c.Rate = 0 })
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { c.Me(ctx) }) // three 429s at once: throttling, not noise
	}
	for limited.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := c.ListProjects(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if s := c.Stats(); s.Errors != 0 || s.RateLimited != 3 || s.Requests != 7 {
		t.Errorf("stats %+v", s)
	}
	if d := time.Duration(projectsAt.Load()); d < 900*time.Millisecond {
		t.Errorf("another request went out %v after a burst of 429s with Retry-After: 1", d)
	}
	if r := c.Stats().CurrentRate; r >= adaptiveStart {
		t.Errorf("rate %.1f not cut after a burst of 429s", r)
	}
}

func TestStray429NeitherPausesNorCuts(t *testing.T) {
	var first atomic.Bool
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1.1/me" {
			if first.CompareAndSwap(false, true) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, `{"login":"x"}`)
			return
		}
		fmt.Fprint(w, `[]`)
	}, func(c *Config) { c.Rate = 0 })
	ctx := context.Background()
	for range 10 {
		if _, err := c.ListProjects(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rate := c.Stats().CurrentRate
	done := make(chan struct{})
	go func() { c.Me(ctx); close(done) }()
	for !first.Load() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	if _, err := c.ListProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a single 429 among successes paused others for %v", d)
	}
	<-done
	if s := c.Stats(); s.CurrentRate < rate || s.RateLimited != 1 || s.Errors != 0 {
		t.Errorf("a single 429 cut the rate from %.1f: %+v", rate, s)
	}
}

func TestMaxRetriesAndBudget(t *testing.T) {
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}, func(c *Config) { c.MaxRetries = 3; c.RetryBudget = 5 })
	ctx := context.Background()
	_, err := c.ListProjects(ctx)
	if !errors.Is(err, ErrServer) || n.Load() != 4 {
		t.Errorf("first request: %v after %d attempts, want ErrServer after 4", err, n.Load())
	}
	_, err = c.ListProjects(ctx) // 2 retries left in the budget
	if !errors.Is(err, ErrRetryBudget) || !errors.Is(err, ErrServer) || n.Load() != 7 {
		t.Errorf("second request: %v after %d attempts, want ErrRetryBudget after 7", err, n.Load())
	}
	_, err = c.ListProjects(ctx) // budget spent: fail fast, one attempt
	if !errors.Is(err, ErrRetryBudget) || n.Load() != 8 {
		t.Errorf("third request: %v after %d attempts, want 8", err, n.Load())
	}
	if s := c.Stats(); s.Retries != 5 || s.Errors != 3 || s.ByStatus[503] != 8 {
		t.Errorf("stats %+v", s)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}, func(c *Config) { c.backoffBase = time.Hour; c.backoffCap = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ListProjects(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancellation took %v", d)
	}
	if n.Load() > 2 || c.Stats().Errors != 0 {
		t.Errorf("%d attempts, %d errors after cancel", n.Load(), c.Stats().Errors)
	}
	// Already canceled: no request at all.
	before := n.Load()
	if _, err := c.ListProjects(ctx); !errors.Is(err, context.Canceled) || n.Load() != before {
		t.Errorf("canceled context sent a request: %v", err)
	}
}

func TestCancelDuringSlowBody(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		fmt.Fprint(w, `[`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}, func(c *Config) { c.RequestTimeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.ListProjects(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want the caller's deadline, got %v", err)
	}
	if time.Since(start) > time.Second || c.Stats().Requests != 1 {
		t.Errorf("took %v, %d requests", time.Since(start), c.Stats().Requests)
	}
}

func TestConcurrentUse(t *testing.T) {
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%5 == 0 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"tests":[]}`)
	})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if _, err := c.ListTests(context.Background(), "github/acme/api", int64(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := c.Stats()
	if s.Requests != n.Load() || s.Requests != 50+s.Retries || s.ByStatus[502] != s.Retries {
		t.Errorf("stats %+v after %d requests", s, n.Load())
	}
}

// TestTokenNeverLeaks drives every failure path with a server that echoes the token back and
// checks errors and logs.
func TestTokenNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	var logMu sync.Mutex
	var n atomic.Int64
	c, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Circle-Token")
		switch n.Add(1) % 6 {
		case 0:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"token %s is invalid"}`, tok)
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, "slow down %s", tok)
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "panic: token=%s circle-token=%s", tok, tok)
		case 3:
			fmt.Fprintf(w, `{"broken": "%s`, tok)
		case 4:
			http.Redirect(w, r, "/nowhere?circle-token="+tok, http.StatusFound)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, "no such thing for %s", tok)
		}
	}, func(c *Config) {
		c.MaxRetries = 3
		c.Logger = slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	var errs []string
	for range 6 {
		_, err := c.GetBuild(ctx, "github/acme/api", 1)
		_, err2 := c.ListProjects(ctx)
		for _, e := range []error{err, err2} {
			if e != nil {
				errs = append(errs, e.Error(), fmt.Sprintf("%+v %#v", e, e))
			}
		}
	}
	// A server that is down: the transport error carries the URL.
	srv.Close()
	_, err := c.Me(ctx)
	errs = append(errs, err.Error())
	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	all := strings.Join(errs, "\n") + out
	if strings.Contains(all, testToken) {
		t.Fatalf("the token leaked:\n%s", all)
	}
	if !strings.Contains(all, "REDACTED") || !strings.Contains(out, "retrying") {
		t.Errorf("expected redacted server echoes and retry logs, got:\n%s", all)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://circleci.com/api/v1.1/me?circle-token=abc&x=1", "https://circleci.com/api/v1.1/me?circle-token=REDACTED&x=1"},
		{"GET /x?CIRCLE-TOKEN=abc", "GET /x?CIRCLE-TOKEN=REDACTED"},
		{"u?circle%2Dtoken%3Dabc def", "u?circle%2Dtoken%3DREDACTED def"},
		{"circle_token=abc", "circle_token=REDACTED"},
		{"https://user:pw@host/x", "https://REDACTED@host/x"},
		{"secret s3cr3t in text s3cr3t", "secret REDACTED in text REDACTED"},
		{"nothing here", "nothing here"},
	} {
		if got := Redact(tc.in, "s3cr3t", ""); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestServerRetryAfterOn503(t *testing.T) {
	h, count := flaky(1, `[]`, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0.3")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, _ := newTestClient(t, h)
	start := time.Now()
	if _, err := c.ListProjects(context.Background()); err != nil || count.Load() != 2 {
		t.Fatal(err, count.Load())
	}
	if d := time.Since(start); d < 280*time.Millisecond {
		t.Errorf("503 retried after %v, before its Retry-After", d)
	}
}

func TestPersistentlyUndecodable(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"build_num": 1, "steps": [`)
	}, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.GetBuild(context.Background(), "github/acme/api", 1)
	if !errors.Is(err, ErrDecode) || c.Stats().Requests != 3 {
		t.Errorf("want ErrDecode after 3 attempts, got %v after %d", err, c.Stats().Requests)
	}
	if _, ok := errors.AsType[*APIError](err); ok {
		t.Error("a decode failure is not an API status error")
	}
}

// TestRateLimitRetriesSpendNoBudget: 429s are the server pacing the client, not faults; however
// many there are, they do not spend the Client's fault budget, so a 5xx after a long throttled
// stretch is still retried.
func TestRateLimitRetriesSpendNoBudget(t *testing.T) {
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch i := n.Add(1); {
		case i <= 40 && i%4 != 0: // three 429s before each of the first ten successes
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case i == 41:
			w.WriteHeader(http.StatusBadGateway)
		default:
			fmt.Fprint(w, `[]`)
		}
	}, func(c *Config) { c.MaxRetries = 3; c.RetryBudget = 2 })
	ctx := context.Background()
	for i := range 11 {
		if _, err := c.ListProjects(ctx); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if s := c.Stats(); s.RateLimited != 30 || s.Retries != 31 || s.Errors != 0 {
		t.Errorf("stats %+v, want 30 429s and 31 retries, no error", s)
	}
}

// TestRetryBudgetGrowsWithRequests: the fault budget is a share of the requests made with
// RetryBudget as its floor, so a long run with a steady fault rate never exhausts it, while a
// server failing everything still fails fast.
func TestRetryBudgetGrowsWithRequests(t *testing.T) {
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		// One 503 in ten attempts, for 500 requests: 50 retries against a floor of 5.
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `[]`)
	}, func(c *Config) { c.RetryBudget = 5 })
	ctx := context.Background()
	for i := range 500 {
		if _, err := c.ListProjects(ctx); err != nil {
			t.Fatalf("request %d of a run with 10%% 5xx: %v", i, err)
		}
	}
	s := c.Stats()
	t.Logf("500 requests, %d retries", s.Retries)
	if s.Retries < 40 || s.Errors != 0 {
		t.Errorf("stats %+v, want about 50 retries and no error", s)
	}
}
