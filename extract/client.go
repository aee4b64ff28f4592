// Package extract is buildlake's client for the CircleCI API v1.1: typed, paced, retrying and
// tolerant of the API's loose JSON. It knows nothing of storage; see package transform for rows.
package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Client. The zero value (plus nothing) talks to https://circleci.com without
// a token, adaptively paced.
type Config struct {
	// Host is the CircleCI host, e.g. https://circleci.com or http://127.0.0.1:PORT; the API base
	// is Host + "/api/v1.1". Empty means https://circleci.com.
	Host string
	// Token is sent only as the Circle-Token header; empty sends no credentials (F/OSS projects).
	Token string
	// HTTPClient is used for every request; nil means a default one with a shared pool.
	HTTPClient *http.Client
	// Rate is the maximum requests per second; 0 means adaptive (AIMD on 429s).
	Rate float64
	// RequestTimeout bounds one attempt, body included; default 30s.
	RequestTimeout time.Duration
	// MaxRetries bounds the retries of one request, 429s included; default 8. Negative means none.
	MaxRetries int
	// RetryBudget is the floor of the Client's budget of fault retries (5xx, resets, timeouts,
	// bad bodies): it may make max(RetryBudget, 20% of requests) of them, so the budget
	// grows with a long backfill while a dead server still fails fast; default 1000. 429 retries
	// are not counted: they are paced, not faults. Negative means no fault retries.
	RetryBudget int
	// Logger receives retry and failure lines (URLs and errors redacted); nil discards.
	Logger *slog.Logger
	// RawSink, when set, receives every decoded 2xx body with its kind ("me", "projects",
	// "builds", "recent-builds", "details", "artifacts", "tests"). It is called concurrently.
	RawSink func(kind string, body []byte)
	// UserAgent overrides the User-Agent header.
	UserAgent string
	// StartPace starts the adaptive pacer where an earlier Client's Pace ended (say, the last
	// run's, kept in the database) instead of at 20 requests/s in slow start. Ignored with Rate.
	StartPace Pace

	// backoffBase and backoffCap let tests shrink the exponential backoff.
	backoffBase, backoffCap time.Duration
}

// String hides the token so that printing a Config (%v, %+v) never leaks it.
func (c Config) String() string {
	tok := ""
	if c.Token != "" {
		tok = redacted
	}
	return fmt.Sprintf("extract.Config{Host:%q Token:%q Rate:%g RequestTimeout:%s MaxRetries:%d RetryBudget:%d}",
		Redact(c.Host, c.Token), tok, c.Rate, c.RequestTimeout, c.MaxRetries, c.RetryBudget)
}

// GoString hides the token from %#v too.
func (c Config) GoString() string { return c.String() }

// LogValue hides the token from slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Defaults for Config fields left zero.
const (
	DefaultHost           = "https://circleci.com"
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 8
	DefaultRetryBudget    = 1000
	// retryShare is the share of requests (first attempts) the retry budget grows by: a fault
	// rate of up to about a fifth is absorbed however long the run.
	retryShare         = 0.2
	DefaultUserAgent   = "buildlake (+https://github.com/buildlake/buildlake)"
	defaultBackoffBase = 200 * time.Millisecond
	defaultBackoffCap  = 20 * time.Second
	// maxBody bounds a 2xx body; a build with thousands of steps is a few MiB.
	maxBody = 256 << 20
)

var errConfig = errors.New("could not configure the CircleCI client")

// Client is a CircleCI API v1.1 client. It is safe for concurrent use; all its requests share
// one pacer and one retry budget.
type Client struct {
	base        string
	token       *credential
	hc          *http.Client
	userAgent   string
	timeout     time.Duration
	maxRetries  int
	budgetFloor int64
	calls       atomic.Int64 // requests made (first attempts), which grow the retry budget
	spent       atomic.Int64 // fault retries made
	backoffBase time.Duration
	backoffCap  time.Duration
	log         *slog.Logger
	rawSink     func(string, []byte)
	pace        *pacer

	requests, retries, rateLimited, errs atomic.Int64
	statusMu                             sync.Mutex
	byStatus                             map[int]int64
}

// credential holds the token behind a pointer: fmt prints a nested pointer as an address, so a
// stray %v or %+v of the Client cannot leak it, and String covers printing it directly.
type credential struct{ v string }

func (*credential) String() string   { return redacted }
func (*credential) GoString() string { return redacted }

// New returns a Client for cfg, or an error saying which setting to change.
func New(cfg Config) (*Client, error) {
	host := strings.TrimRight(strings.TrimSpace(cfg.Host), "/")
	if host == "" {
		host = DefaultHost
	}
	u, err := url.Parse(host)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: host %q must be an http(s) URL such as %s", errConfig, Redact(host, cfg.Token), DefaultHost)
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("%w: host %q must not carry credentials or a query", errConfig, Redact(host, cfg.Token))
	}
	if strings.ContainsAny(cfg.Token, "\r\n") {
		return nil, fmt.Errorf("%w: the token contains a line break (check the token file)", errConfig)
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("%w: rate %g must be positive, or 0 for adaptive", errConfig, cfg.Rate)
	}
	c := &Client{
		base:        host + "/api/v1.1",
		token:       &credential{strings.TrimSpace(cfg.Token)},
		hc:          httpClient(cfg.HTTPClient),
		userAgent:   orDefault(cfg.UserAgent, DefaultUserAgent),
		timeout:     orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		maxRetries:  orDefault(cfg.MaxRetries, DefaultMaxRetries),
		backoffBase: orDefault(cfg.backoffBase, defaultBackoffBase),
		backoffCap:  orDefault(cfg.backoffCap, defaultBackoffCap),
		log:         cfg.Logger,
		rawSink:     cfg.RawSink,
		pace:        newPacer(cfg.Rate, cfg.StartPace),
		byStatus:    map[int]int64{},
	}
	c.budgetFloor = int64(orDefault(cfg.RetryBudget, DefaultRetryBudget))
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// httpClient returns hc (or a default) with a redirect policy that drops the Circle-Token header
// when a redirect leaves the original host: net/http only strips its own well-known headers.
func httpClient(hc *http.Client) *http.Client {
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		hc = &http.Client{Transport: t}
	} else {
		copied := *hc
		hc = &copied
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && req.URL.Host != via[0].URL.Host {
			req.Header.Del("Circle-Token")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return hc
}

// Stats is a snapshot of a Client's counters.
type Stats struct {
	Requests    int64         // HTTP attempts sent
	Retries     int64         // attempts that were retries
	RateLimited int64         // 429 responses
	Errors      int64         // requests that failed for good (cancellation not counted)
	ByStatus    map[int]int64 // responses by status code
	CurrentRate float64       // the pacer's current requests/s ceiling
}

// Stats returns a snapshot of the counters; it is safe to call concurrently with requests.
func (c *Client) Stats() Stats {
	c.statusMu.Lock()
	by := make(map[int]int64, len(c.byStatus))
	for k, v := range c.byStatus {
		by[k] = v
	}
	c.statusMu.Unlock()
	return Stats{
		Requests:    c.requests.Load(),
		Retries:     c.retries.Load(),
		RateLimited: c.rateLimited.Load(),
		Errors:      c.errs.Load(),
		ByStatus:    by,
		CurrentRate: c.pace.currentRate(),
	}
}

// Pace reports what the adaptive pacer has learned of the server's limit so far; give it to the
// next Client as Config.StartPace. It is the zero Pace with a fixed Rate.
func (c *Client) Pace() Pace { return c.pace.pace() }

func (c *Client) countStatus(code int) {
	c.statusMu.Lock()
	c.byStatus[code]++
	c.statusMu.Unlock()
}

// takeRetry spends one fault retry from the budget, or reports that it is spent.
func (c *Client) takeRetry() bool {
	if c.budgetFloor < 0 {
		return false
	}
	for {
		spent := c.spent.Load()
		if spent >= max(c.budgetFloor, int64(retryShare*float64(c.calls.Load()))) {
			return false
		}
		if c.spent.CompareAndSwap(spent, spent+1) {
			return true
		}
	}
}

// redact removes the token and token-bearing query values from s.
func (c *Client) redact(s string) string { return Redact(s, c.token.v) }

// newRequest builds a GET for path (already escaped) and query under the API base.
func (c *Client) newRequest(ctx context.Context, path string, query url.Values) (*http.Request, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: bad request URL %s", errConfig, c.redact(u))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.token.v != "" {
		req.Header.Set("Circle-Token", c.token.v)
	}
	return req, nil
}

// readBody reads a 2xx body, bounded.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = fmt.Errorf("body larger than %d bytes", maxBody)
	}
	return b, err
}
