package extract

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Adaptive pacing constants. CircleCI publishes no limit, so the pacer finds it: it starts at
// adaptiveStart, doubles per second of successes until throttled (slow start), then cuts to a
// little under the throughput the server actually admitted in the last second and probes upward
// by a small additive step per second. One burst of 429s causes one cut and one global
// Retry-After pause; stray 429s among successes (transient faults) cause neither. Measured on a
// loopback token bucket at 80 req/s: about 90–95% of the limit sustained, about 1% 429s.
const (
	adaptiveStart = 20.0
	// slowStartStep is added per success before the first 429: the rate doubles each second.
	slowStartStep   = 1.0
	adaptiveFloor   = 0.5
	adaptiveCeiling = 2000.0
	// decreaseFactor bounds a cut from below (never below 70% of the rate at once) and
	// admittedFactor sets the new rate relative to the measured admitted throughput.
	decreaseFactor = 0.7
	slowStartFloor = 0.5
	admittedFactor = 0.95
	// probeFraction is the additive step per second, as a fraction of the rate at the last cut.
	probeFraction = 0.01
	// congestedCount and congestedShare tell throttling from stray 429s (see onRateLimited).
	congestedCount = 3
	congestedShare = 0.05
	// windowSlot × windowSlots is the span over which admitted throughput is measured.
	windowSlot  = 100 * time.Millisecond
	windowSlots = 10
)

// Pace is what an adaptive pacer learned of the server's limit, so that the next Client can start
// where this one ended instead of at adaptiveStart: a scheduled incremental sync is over in a
// second or two, about the time slow start takes to leave 20 requests/s.
type Pace struct {
	// Rate is the pacer's ceiling in requests/s.
	Rate float64
	// Throttled means the server throttled the pacer, so Rate sits just under the limit it found:
	// a pacer started from it probes upward slowly. Otherwise no limit was met below Rate and a
	// pacer started from it keeps doubling until the first 429.
	Throttled bool
}

// valid reports whether p can start a pacer: a positive finite rate within the adaptive range.
func (p Pace) valid() bool {
	return p.Rate >= adaptiveFloor && p.Rate <= adaptiveCeiling && !math.IsNaN(p.Rate)
}

// pacer paces every request of a Client: a token bucket (burst 1, so requests are evenly
// spaced), a global pause set by Retry-After, and, in adaptive mode, AIMD on the bucket's rate.
type pacer struct {
	lim      *rate.Limiter
	adaptive bool

	mu          sync.Mutex
	rate        float64
	slowStart   bool
	step        float64   // additive increase per second after the first cut
	lastCut     time.Time // requests sent before it do not cause another cut
	pausedUntil time.Time
	pauses      []interval // recent global pauses, excluded from throughput measurement
	slots       [windowSlots]slot
	born        time.Time // when measurement started: earlier slots are unknown, not idle
}

type slot struct {
	n       int64 // slot number since the Unix epoch in windowSlot units
	count   int   // admitted requests
	limited int   // 429 responses
}

type interval struct{ from, to time.Time }

// newPacer returns a pacer at the fixed rate, or, when fixed is 0, an adaptive one that starts
// from start (or from adaptiveStart in slow start when start is not valid).
func newPacer(fixed float64, start Pace) *pacer {
	if fixed > 0 {
		return &pacer{lim: rate.NewLimiter(rate.Limit(fixed), 1), rate: fixed}
	}
	if !start.valid() {
		start = Pace{Rate: adaptiveStart}
	}
	p := &pacer{
		lim:       rate.NewLimiter(rate.Limit(start.Rate), 1),
		adaptive:  true,
		rate:      start.Rate,
		slowStart: !start.Throttled,
		born:      time.Now(),
	}
	if start.Throttled {
		p.step = max(probeFraction*start.Rate, 0.2)
	}
	return p
}

// pace reports what the pacer knows now, for the next Client's Config.StartPace; the zero Pace
// for a fixed-rate pacer, which learns nothing.
func (p *pacer) pace() Pace {
	if !p.adaptive {
		return Pace{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return Pace{Rate: p.rate, Throttled: !p.slowStart}
}

// currentRate is the pacer's current ceiling in requests/s.
func (p *pacer) currentRate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// wait blocks until a request may be sent: after any global pause, then for a token. A token
// granted while a pause began is not used: every waiter would wake at the pause's end at once,
// a burst that meets the server's empty bucket; each takes a fresh, evenly spaced token instead.
func (p *pacer) wait(ctx context.Context) error {
	for {
		if err := p.waitPause(ctx); err != nil {
			return err
		}
		if err := p.lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The token would come after ctx's deadline.
			return fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
		if !p.paused() {
			return nil
		}
	}
}

func (p *pacer) paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Now().Before(p.pausedUntil)
}

func (p *pacer) waitPause(ctx context.Context) error {
	for {
		p.mu.Lock()
		d := time.Until(p.pausedUntil)
		p.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// onSuccess records an admitted request and, in adaptive mode, raises the rate: by one request/s
// per success in slow start (doubling each second), else by step per second.
func (p *pacer) onSuccess(sent time.Time) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slotAt(now).count++
	if !p.adaptive {
		return
	}
	r := p.rate
	if p.slowStart {
		r += slowStartStep
	} else {
		r += p.step / r
	}
	// Raising the ceiling far above what the caller actually uses would only allow a burst
	// later: keep it within twice the measured throughput.
	if m := p.admitted(now); m > 0 && r > 2*m+adaptiveStart {
		r = max(p.rate, 2*m+adaptiveStart)
	}
	p.set(min(r, adaptiveCeiling))
}

// onRateLimited reacts to a 429. One 429 among many successes is as likely a transient fault
// as throttling (and a fault-injected 429 must not collapse the rate), so the pacer acts only
// when the last second shows throttling: at least congestedCount 429s making up at least
// congestedShare of the responses. Then it pauses everyone for retryAfter and, in adaptive mode,
// cuts the rate once per burst of 429s. The rejected request itself always waits its own
// Retry-After in the retry loop.
func (p *pacer) onRateLimited(sent time.Time, retryAfter time.Duration) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slotAt(now).limited++
	if !p.congested(now) {
		return
	}
	if retryAfter > 0 {
		if until := now.Add(retryAfter); until.After(p.pausedUntil) {
			if p.adaptive {
				p.pauses = append(p.pauses, interval{maxTime(now, p.pausedUntil), until})
			}
			p.pausedUntil = until
		}
	}
	if !p.adaptive || sent.Before(p.lastCut) {
		return
	}
	// Slow start overshoots by up to half (the rate doubles each second), later probes only by
	// a few percent: bound the cut accordingly.
	r := p.rate * decreaseFactor
	if p.slowStart {
		r = p.rate * slowStartFloor
	}
	if m := p.admitted(now); m > 0 {
		r = max(r, min(p.rate*0.9, m*admittedFactor))
	}
	r = max(r, adaptiveFloor)
	p.slowStart = false
	p.lastCut = now
	p.step = max(probeFraction*r, 0.2)
	p.set(r)
}

// congested reports whether the last second's 429s look like throttling rather than noise.
func (p *pacer) congested(now time.Time) bool {
	var ok, limited int
	cur := now.UnixNano() / int64(windowSlot)
	for _, s := range p.slots {
		if s.n > cur-windowSlots && s.n <= cur {
			ok += s.count
			limited += s.limited
		}
	}
	return limited >= congestedCount && float64(limited) >= congestedShare*float64(ok+limited)
}

func (p *pacer) set(r float64) {
	if r == p.rate || math.IsNaN(r) {
		return
	}
	p.rate = r
	p.lim.SetLimit(rate.Limit(r))
}

// slotAt returns the measurement slot of now, reset if it last held an older slot.
func (p *pacer) slotAt(now time.Time) *slot {
	n := now.UnixNano() / int64(windowSlot)
	s := &p.slots[n%windowSlots]
	if s.n != n {
		*s = slot{n: n}
	}
	return s
}

// admitted returns the requests/s the server admitted over the measurement window, counting
// only time that was neither paused nor before the pacer existed; 0 when unknown.
func (p *pacer) admitted(now time.Time) float64 {
	cur := now.UnixNano() / int64(windowSlot)
	var count int
	for _, s := range p.slots {
		if s.n > cur-windowSlots && s.n <= cur {
			count += s.count
		}
	}
	from := now.Add(-windowSlot * windowSlots)
	if p.born.After(from) {
		from = p.born
	}
	span := now.Sub(from)
	kept := p.pauses[:0]
	for _, iv := range p.pauses {
		if iv.to.Before(from) {
			continue
		}
		kept = append(kept, iv)
		lo, hi := maxTime(iv.from, from), minTime(iv.to, now)
		if hi.After(lo) {
			span -= hi.Sub(lo)
		}
	}
	p.pauses = kept
	if span < 5*windowSlot || count == 0 {
		return 0
	}
	return float64(count) / span.Seconds()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
