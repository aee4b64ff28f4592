package circlecitest

import (
	"math"
	"sort"
	"time"
)

// generator owns the lazily extended per-project plans: only the first generated index of each
// slot is stored (a few bytes per push); every build is recomputed from its slot on demand.
type generator struct {
	opts     Options
	projects []*project
	plans    []*plan
	sc       scenario
}

type plan struct {
	starts []int // starts[i] = generated index (1-based) of slot i's first run; len = slots+1
	d      time.Duration
	scale  float64
	t0     time.Time
	cache  map[int]*slot
}

func newGenerator(o Options) *generator {
	g := &generator{opts: o, projects: newProjects(o)}
	for _, p := range g.projects {
		pl := &plan{starts: []int{1}}
		g.plans = append(g.plans, pl)
		n := o.BuildsPerProject
		g.ensureGen(p.idx, n+1)
		iN, _ := g.slotOf(p.idx, n)
		pl.d = time.Duration(float64(o.Days) * float64(24*time.Hour) / float64(iN+1))
		pl.scale = math.Min(1, 0.5*float64(pl.d)/float64(nominalSpan(o)))
		relN, relNext := g.rel(p.idx, n), g.rel(p.idx, n+1)
		eps := min(30*time.Second, (relNext-relN)/2)
		pl.t0 = o.Now.Add(-relN - eps)
	}
	start := o.Now.Add(-time.Duration(o.Days) * 24 * time.Hour)
	day := func(frac float64) time.Time {
		return start.Add(time.Duration(frac * float64(o.Days) * float64(24*time.Hour))).Truncate(24 * time.Hour)
	}
	g.sc = scenario{
		crunchStart: day(0.6).Add(6 * time.Hour),
		regProject:  0,
		regJob:      "test",
		regStep:     "Run tests",
		regDate:     day(0.5),
		regFactor:   math.Round((1.5+0.5*unit(h(o.Seed, tagMisc, 1)))*10) / 10,
	}
	if g.projects[0].legacy {
		g.sc.regJob, g.sc.regStep = "build", "bundle exec rspec"
	}
	g.sc.crunchEnd = g.sc.crunchStart.Add(36 * time.Hour)
	return g
}

// ensureGen simulates slots until generated index gi belongs to a known slot.
func (g *generator) ensureGen(pi, gi int) {
	pl := g.plans[pi]
	for pl.starts[len(pl.starts)-1] <= gi {
		i := len(pl.starts) - 1
		s := g.simulateSlot(g.projects[pi], i)
		pl.starts = append(pl.starts, pl.starts[i]+len(s.runs))
	}
}

// slotOf maps a generated index to (slot, run index inside the slot).
func (g *generator) slotOf(pi, gi int) (int, int) {
	g.ensureGen(pi, gi)
	st := g.plans[pi].starts
	i := sort.Search(len(st), func(k int) bool { return st[k] > gi }) - 1
	return i, gi - st[i]
}

func (g *generator) slot(pi, i int) *slot {
	pl := g.plans[pi]
	if s, ok := pl.cache[i]; ok {
		return s
	}
	if pl.cache == nil || len(pl.cache) > 1024 {
		pl.cache = map[int]*slot{} // bounded: slots are cheap to recompute
	}
	s := g.simulateSlot(g.projects[pi], i)
	pl.cache[i] = s
	return s
}

// rel is a generated build's creation time relative to the plan's t0.
func (g *generator) rel(pi, gi int) time.Duration {
	pl := g.plans[pi]
	i, r := g.slotOf(pi, gi)
	s := g.slot(pi, i)
	jitter := time.Duration(unit(h(g.opts.Seed, tagJitter, int64(pi), int64(i))) * 0.25 * float64(pl.d))
	return time.Duration(i)*pl.d + jitter + time.Duration(float64(s.runs[r].offset)*pl.scale)
}

func (g *generator) slotTime(pi, i int) time.Time {
	pl := g.plans[pi]
	jitter := time.Duration(unit(h(g.opts.Seed, tagJitter, int64(pi), int64(i))) * 0.25 * float64(pl.d))
	return pl.t0.Add(time.Duration(i)*pl.d + jitter)
}

func (g *generator) created(pi, gi int) time.Time { return g.plans[pi].t0.Add(g.rel(pi, gi)) }

// visible counts the generated builds created at or before now (creation is monotone in index).
func (g *generator) visible(pi int, now time.Time) int {
	lo, hi := 0, g.opts.BuildsPerProject+1 // created(lo) <= now < created(hi); 0 stands for "none"
	for !g.created(pi, hi).After(now) {
		lo, hi = hi, hi+hi/8+16 // grow gently: every step simulates the slots it passes
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if g.created(pi, mid).After(now) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

// queueFactor is the daily pattern (busy afternoons UTC) times the crunch multiplier.
func (g *generator) queueFactor(t time.Time) float64 {
	hr := float64(t.Hour()) + float64(t.Minute())/60
	f := 0.3 + 1.7*math.Exp(-(hr-15)*(hr-15)/8)
	if !t.Before(g.sc.crunchStart) && t.Before(g.sc.crunchEnd) {
		f *= 10
	}
	return f
}
