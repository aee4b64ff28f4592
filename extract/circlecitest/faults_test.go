package circlecitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func rawGet(ctx context.Context, s *Server, path string) (*http.Response, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v1.1"+path, nil)
	req.Header.Set("Circle-Token", s.Token)
	req.Header.Set("Accept", "application/json")
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaultKinds(t *testing.T) {
	const path = "/project/github/acme/api?limit=10"
	t.Run("server error", func(t *testing.T) {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{ServerError: 1} })
		resp, b, err := rawGet(t.Context(), s, path)
		if err != nil || resp.StatusCode < 500 || len(b) == 0 {
			t.Fatalf("got %v %v %q, want a 5xx with a body", resp, err, b)
		}
		if s.Requests()["fault"] != 1 {
			t.Errorf("fault count %d", s.Requests()["fault"])
		}
	})
	t.Run("reset", func(t *testing.T) {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{Reset: 1} })
		if _, _, err := rawGet(t.Context(), s, path); err == nil {
			t.Fatal("reset: request succeeded")
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{Truncate: 1} })
		resp, _, err := rawGet(t.Context(), s, path)
		if err == nil || resp == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("truncate: got %v, want a 200 whose body ends early (unexpected EOF)", err)
		}
	})
	t.Run("slow", func(t *testing.T) {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{Slow: 1}; o.SlowBodyDelay = 300 * time.Millisecond })
		start := time.Now()
		_, b, err := rawGet(t.Context(), s, path)
		if err != nil || time.Since(start) < 300*time.Millisecond || !strings.HasSuffix(string(b), "]") {
			t.Fatalf("slow: err %v after %v, body complete %v", err, time.Since(start), strings.HasSuffix(string(b), "]"))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, _, err := rawGet(ctx, s, "/me"); err == nil {
			t.Fatal("slow body beat a 50ms client timeout")
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{RateLimited: 1} })
		resp, b, err := rawGet(t.Context(), s, path)
		if err != nil || resp.StatusCode != 429 || string(b) != "Rate limited." || resp.Header.Get("Retry-After") == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("got %v %v %q", resp, err, b)
		}
	})
}

func TestFaultsDeterministicAndRetryable(t *testing.T) {
	outcomes := func() []int {
		s := smallServer(t, func(o *Options) { o.Faults = Faults{ServerError: 0.5} })
		var codes []int
		for i := 0; i < 8; i++ {
			for attempt := 0; ; attempt++ {
				resp, _, err := rawGet(t.Context(), s, "/project/github/acme/api/"+string(rune('1'+i)))
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, resp.StatusCode)
				if resp.StatusCode == 200 {
					break
				}
				if attempt > 20 {
					t.Fatal("a retried request never succeeded")
				}
			}
		}
		return codes
	}
	a, b := outcomes(), outcomes()
	if !equalInts(a, b) {
		t.Errorf("same seed, different fault sequence: %v vs %v", a, b)
	}
	if len(a) == 8 {
		t.Error("no faults at rate 0.5")
	}
}

func TestRateLimit(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.RateLimit = 5 })
	limited := 0
	for i := 0; i < 20; i++ {
		resp, _, err := rawGet(t.Context(), s, "/me")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 429 {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited == 0 || s.Requests()["429"] != int64(limited) {
		t.Errorf("%d of 20 burst requests limited (counted %d)", limited, s.Requests()["429"])
	}
}

func TestLatencyAndRequestCounts(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.Latency = 20 * time.Millisecond })
	start := time.Now()
	getJSON(t, s, "/project/github/acme/api/3")
	if time.Since(start) < 20*time.Millisecond {
		t.Error("latency not applied")
	}
	getJSON(t, s, "/project/github/acme/api/3/tests")
	getJSON(t, s, "/project/github/acme/api")
	r := s.Requests()
	if r["details"] != 1 || r["tests"] != 1 || r["list"] != 1 {
		t.Errorf("request counts %v", r)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests left counts")
	}
}

// TestFaultBookkeepingBounded: a long run asks for ever new URLs (every build's details, tests,
// artifacts); the per-URL attempt counts must not grow with them.
func TestFaultBookkeepingBounded(t *testing.T) {
	f := newFaultState(Options{Seed: 3, Faults: Faults{ServerError: 0.3}})
	decideN := func(from, to int) {
		for i := from; i < to; i++ {
			r := httptest.NewRequest("GET", "/api/v1.1/project/github/acme/api/"+strconv.Itoa(i)+"/tests", nil)
			f.decide(r)
		}
	}
	decideN(0, 1000) // warm up
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	decideN(1000, 200_000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(f)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2<<20 {
		t.Errorf("fault bookkeeping grew the heap by %d KiB over 199k distinct URLs", grown>>10)
	}
}
