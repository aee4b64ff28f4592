package circlecitest

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

type faultKind int

const (
	faultNone faultKind = iota
	faultServerError
	faultReset
	faultTruncate
	faultSlow
	faultRateLimited
)

// faultState decides faults from hash(seed, method, URL, n-th attempt of that URL), so a client
// that retries a failed request eventually gets through and a re-run sees the same faults. The
// attempt counts live in a fixed table of hashed slots: memory stays bounded however many URLs a
// long run asks for; URLs that share a slot share a count, which keeps both properties.
type faultState struct {
	opts     Options
	mu       sync.Mutex
	attempts [faultSlots]uint32
}

// faultSlots is the size of the attempt-count table (64 KiB).
const faultSlots = 1 << 14

func newFaultState(o Options) *faultState {
	return &faultState{opts: o}
}

func (f *faultState) enabled() bool { return f.opts.Faults.total() > 0 }

func (f *faultState) decide(r *http.Request) faultKind {
	kh := strHash(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery)
	slot := uint64(kh) % faultSlots
	f.mu.Lock()
	n := f.attempts[slot]
	f.attempts[slot] = n + 1
	f.mu.Unlock()
	u := unit(h(f.opts.Seed, tagFault, kh, int64(n)))
	fs := f.opts.Faults
	for _, c := range []struct {
		p float64
		k faultKind
	}{{fs.ServerError, faultServerError}, {fs.Reset, faultReset}, {fs.Truncate, faultTruncate}, {fs.Slow, faultSlow}, {fs.RateLimited, faultRateLimited}} {
		if u < c.p {
			return c.k
		}
		u -= c.p
	}
	return faultNone
}

func (hd *Handler) serveFault(rw http.ResponseWriter, r *http.Request, kind faultKind) {
	switch kind {
	case faultServerError:
		code := []int{500, 502, 503}[h(hd.opts.Seed, tagFault, strHash(r.URL.String()))%3]
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(code)
		_, _ = rw.Write([]byte("<html><body><h1>" + strconv.Itoa(code) + " " + http.StatusText(code) + "</h1></body></html>"))
	case faultRateLimited:
		rateLimited(rw, 1)
	case faultReset:
		panic(http.ErrAbortHandler) // net/http closes the connection without a response
	case faultTruncate, faultSlow:
		rec := httptest.NewRecorder()
		hd.mux.ServeHTTP(rec, r)
		full := rec.Body.Bytes()
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.Header().Set("Content-Length", strconv.Itoa(len(full)))
		rw.WriteHeader(rec.Code)
		half := full[:len(full)/2]
		_, _ = rw.Write(half)
		if fl, ok := rw.(http.Flusher); ok {
			fl.Flush()
		}
		if kind == faultTruncate {
			panic(http.ErrAbortHandler) // the body ends short of Content-Length
		}
		select {
		case <-time.After(hd.opts.SlowBodyDelay):
			_, _ = rw.Write(full[len(half):])
		case <-r.Context().Done():
		}
	}
}

// bucket is a token bucket over all requests.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64) *bucket {
	return &bucket{rate: rate, tokens: max(1, rate), last: time.Now()}
}

// allow takes a token, or says how many whole seconds until one is available.
func (b *bucket) allow(now time.Time) (bool, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(max(1, b.rate), b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, max(1, int(math.Ceil((1-b.tokens)/b.rate)))
}
