package extract

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// requestError is a failure that never reached a complete 2xx body: a transport error, a
// timeout, a truncated or undecodable body. Its message is redacted when built.
type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// fetch GETs path under the API base and decodes the 2xx body, retrying what is worth retrying:
// 429 (after Retry-After), 5xx, transport errors, per-attempt timeouts, truncated and
// undecodable bodies. Other 4xx fail at once. Cancellation of ctx stops it immediately.
func fetch[T any](ctx context.Context, c *Client, kind, path string, query url.Values, decode func([]byte) (T, error)) (T, error) {
	var zero T
	var last error
	c.calls.Add(1)
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if attempt > c.maxRetries {
				return zero, c.fail(fmt.Errorf("%w (gave up after %d attempts)", last, attempt))
			}
			// A 429 is the server pacing us, not a fault: it does not spend the budget.
			if _, limited := errors.AsType[*RateLimitError](last); !limited && !c.takeRetry() {
				return zero, c.fail(fmt.Errorf("%w: %w", ErrRetryBudget, last))
			}
			c.retries.Add(1)
			delay := c.retryDelay(attempt, last)
			c.log.LogAttrs(ctx, slog.LevelDebug, "retrying CircleCI request",
				slog.String("kind", kind), slog.Int("attempt", attempt), slog.Duration("delay", delay),
				slog.String("error", last.Error()))
			if err := sleep(ctx, delay); err != nil {
				return zero, c.canceled(err)
			}
		}
		if err := c.pace.wait(ctx); err != nil {
			return zero, c.canceled(err)
		}
		body, err := c.attempt(ctx, path, query)
		if err == nil {
			v, derr := decode(body)
			if derr == nil {
				if c.rawSink != nil {
					c.rawSink(kind, body)
				}
				return v, nil
			}
			err = &requestError{msg: c.redact(fmt.Sprintf("GET %s: %v", c.base+path, derr)), err: derr}
		}
		if ctx.Err() != nil {
			return zero, c.canceled(ctx.Err())
		}
		if !retryable(err) {
			return zero, c.fail(err)
		}
		last = err
	}
}

// attempt sends one request and reads its body within the per-attempt timeout.
func (c *Client) attempt(ctx context.Context, path string, query url.Values) ([]byte, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(actx, path, query)
	if err != nil {
		return nil, err
	}
	sent := time.Now()
	c.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	defer resp.Body.Close()
	c.countStatus(resp.StatusCode)
	if err := checkResponse(resp, time.Now(), c.token.v); err != nil {
		if rl, ok := errors.AsType[*RateLimitError](err); ok {
			c.rateLimited.Add(1)
			c.pace.onRateLimited(sent, rl.RetryAfter)
			c.log.LogAttrs(ctx, slog.LevelDebug, "CircleCI rate limit",
				slog.Duration("retry_after", rl.RetryAfter), slog.Float64("rate", c.pace.currentRate()))
		}
		return nil, err
	}
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, c.transportError(req, fmt.Errorf("truncated body after %d bytes: %w", len(body), err))
	}
	c.pace.onSuccess(sent)
	return body, nil
}

// transportError wraps err with the redacted method and URL. A *url.Error is unwrapped first
// because its text repeats the URL unredacted.
func (c *Client) transportError(req *http.Request, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no complete answer within %s: %w", c.timeout, err)
	}
	return &requestError{msg: c.redact(fmt.Sprintf("%s %s: %v", req.Method, req.URL, err)), err: err}
}

// fail counts a final failure and logs it.
func (c *Client) fail(err error) error {
	c.errs.Add(1)
	c.log.LogAttrs(context.Background(), slog.LevelWarn, "CircleCI request failed", slog.String("error", c.redact(err.Error())))
	return err
}

// canceled wraps a context error; it is not counted as a failure of the API.
func (c *Client) canceled(err error) error {
	return fmt.Errorf("CircleCI request canceled: %w", err)
}

// retryable reports whether err is worth another attempt.
func retryable(err error) bool {
	if _, ok := errors.AsType[*RateLimitError](err); ok {
		return true
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.StatusCode >= 500
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return false
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return false
	}
	if errors.Is(err, errConfig) {
		return false
	}
	_, ok := errors.AsType[*requestError](err)
	return ok
}

// retryDelay is Retry-After when the server sent one, else full-jitter exponential backoff:
// uniform in [0, min(cap, base·2^(attempt-1))].
func (c *Client) retryDelay(attempt int, err error) time.Duration {
	if rl, ok := errors.AsType[*RateLimitError](err); ok && rl.RetryAfter > 0 {
		return rl.RetryAfter
	}
	if ae, ok := errors.AsType[*APIError](err); ok && ae.retryAfter > 0 {
		return ae.retryAfter
	}
	ceil := c.backoffCap
	if attempt-1 < 30 {
		ceil = min(c.backoffCap, c.backoffBase<<(attempt-1))
	}
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil + 1)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
