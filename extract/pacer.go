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
// little under the throughput the server actually admitted over the measurement window and
// probes upward by probeFraction of the rate per second. One burst of 429s causes one cut and one
// global Retry-After pause; stray 429s among successes (transient faults) cause neither.
//
// The window holds about windowEvents responses: one second at 20 requests/s and more, up to
// maxWindow as the rate falls, so that a low limit (1–10 requests/s, where a second holds a
// handful of responses) is judged on the share of 429s among enough responses rather than
// never (a fixed one-second window needed 3 429s in it, which a pacer at 2.5 requests/s against
// a 1 request/s server never sees: it stayed there with 60% of its requests rejected).
// Measured on a loopback token bucket: at 80 req/s about 90–95% of the limit sustained and about
// 1% 429s; at 2 and 10 req/s, past the first seconds, at least 80% of the limit and under 5% 429s.
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
	// lowRateCut bounds a cut from below instead of decreaseFactor when the rate is under
	// lowRate: there a cut follows the measured throughput down in one step, because each cut
	// costs a Retry-After pause and a few 429s, which at 2 requests/s are a large share.
	lowRateCut = 0.25
	lowRate    = 20.0
	// probeFraction is the additive step per second, as a fraction of the rate at the last cut.
	probeFraction = 0.01
	// congestedCount and congestedShare tell throttling from stray 429s (see onRateLimited);
	// below lowRate, where the window spans several seconds, lowRateCount 429s suffice.
	congestedCount = 3
	lowRateCount   = 2
	congestedShare = 0.05
	// windowSlot is the unit of measurement. The window spans windowEvents/rate, at least
	// minWindow and at most maxWindow; slots holds maxWindow.
	windowSlot   = 100 * time.Millisecond
	minWindow    = time.Second
	maxWindow    = 10 * time.Second
	windowSlots  = int64(maxWindow / windowSlot)
	windowEvents = 20.0
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
	adaptive bool

	mu          sync.Mutex
	lim         *rate.Limiter
	gen         uint64 // counts renewals of lim (see renew)
	rate        float64
	slowStart   bool
	step        float64   // additive increase per second after the first cut
	lastCut     time.Time // requests sent before it do not cause another cut
	sinceCut    [2]int    // successes and 429s of requests sent after lastCut
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
		p.step = probeFraction * start.Rate
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
// a burst that meets the server's empty bucket; each takes a fresh, evenly spaced token instead,
// from a renewed limiter (see renew).
func (p *pacer) wait(ctx context.Context) error {
	for {
		if err := p.waitPause(ctx); err != nil {
			return err
		}
		p.mu.Lock()
		lim, gen := p.lim, p.gen
		p.mu.Unlock()
		if err := lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The token would come after ctx's deadline.
			return fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
		p.mu.Lock()
		fresh := gen == p.gen && !time.Now().Before(p.pausedUntil)
		p.mu.Unlock()
		if fresh {
			return nil
		}
	}
}

// renew replaces the limiter, dropping the tokens its waiters reserved: they are re-timed at the
// current rate from now on. Without it, every waiter's unused token stays reserved, so a pause
// with 16 waiters at 2 requests/s left 8 s of silence behind it, and a cut kept the waiters
// queued at the old rate. Callers hold p.mu.
func (p *pacer) renew() {
	p.lim = rate.NewLimiter(rate.Limit(p.rate), 1)
	p.gen++
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
	if !sent.Before(p.lastCut) {
		p.sinceCut[0]++
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
// when the window shows throttling: at least congestedCount 429s (lowRateCount below lowRate)
// making up at least congestedShare of the responses. Then it pauses everyone for retryAfter
// and, in adaptive mode, cuts the rate once per burst of 429s: a 429 of a request sent before
// the last cut is not counted, it tells of a rate already left. The rejected request itself
// always waits its own Retry-After in the retry loop.
func (p *pacer) onRateLimited(sent time.Time, retryAfter time.Duration) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.adaptive && sent.Before(p.lastCut) {
		return
	}
	p.slotAt(now).limited++
	p.sinceCut[1]++
	if !p.congested(now) {
		return
	}
	if retryAfter > 0 {
		if until := now.Add(retryAfter); until.After(p.pausedUntil) {
			if p.adaptive {
				p.pauses = append(p.pauses, interval{maxTime(now, p.pausedUntil), until})
			}
			p.pausedUntil = until
			p.renew()
		}
	}
	if !p.adaptive {
		return
	}
	// Slow start overshoots by up to half (the rate doubles each second), later probes only by
	// a few percent: bound the cut accordingly. At a low rate the window is long enough for the
	// measured throughput to be trusted further.
	floor := decreaseFactor
	switch {
	case p.slowStart:
		floor = slowStartFloor
	case p.rate < lowRate:
		floor = lowRateCut
	}
	r := p.rate * max(floor, slowStartFloor)
	// Two estimates of what the server admits: the throughput over the window, which runs high
	// when the server refilled its bucket during a pause, and the rate times the share of
	// requests sent since the last cut that were admitted, which runs high by the server's
	// burst. The lower one is nearer.
	m := p.admitted(now)
	if n := p.sinceCut[0] + p.sinceCut[1]; n >= 4 {
		share := p.rate * float64(p.sinceCut[0]) / float64(n)
		if m == 0 || share < m {
			m = share
		}
	}
	if m > 0 {
		r = max(p.rate*floor, min(p.rate*0.9, m*admittedFactor))
	}
	r = max(r, adaptiveFloor)
	p.slowStart = false
	p.lastCut = now
	p.sinceCut = [2]int{}
	p.step = probeFraction * r
	defer p.renew()
	// The 429s so far caused this cut; only those of requests sent after it count from now on.
	for i := range p.slots {
		p.slots[i].limited = 0
	}
	p.set(r)
}

// window is the span over which 429s and throughput are judged at the current rate.
func (p *pacer) window() int64 {
	w := time.Duration(windowEvents / max(p.rate, adaptiveFloor) * float64(time.Second))
	return int64(min(max(w, minWindow), maxWindow) / windowSlot)
}

// congested reports whether the window's 429s since the last cut look like throttling rather
// than noise.
func (p *pacer) congested(now time.Time) bool {
	var ok, limited int
	cur := now.UnixNano() / int64(windowSlot)
	from := cur - p.window()
	for _, s := range p.slots {
		if s.n > from && s.n <= cur {
			ok += s.count
			limited += s.limited
		}
	}
	need := congestedCount
	if p.adaptive && p.rate < lowRate {
		need = lowRateCount
	}
	return limited >= need && float64(limited) >= congestedShare*float64(ok+limited)
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
	w := p.window()
	var count int
	for _, s := range p.slots {
		if s.n > cur-w && s.n <= cur {
			count += s.count
		}
	}
	from := now.Add(-windowSlot * time.Duration(w))
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
		// Below lowRate the pause counts: a server that asks for whole seconds of Retry-After
		// at a few requests/s refills its bucket meanwhile (the next requests pass in a burst),
		// and excluding the pause counted that burst as throughput: the cuts from a tenfold
		// overshoot then took 0.9× steps, each with its own 429s and pause.
		if hi.After(lo) && p.rate >= lowRate {
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
