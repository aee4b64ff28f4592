package circlecitest

import (
	"fmt"
	"time"
)

// failKind says how one job run ends, decided when its slot is simulated.
type failKind uint8

const (
	runOK       failKind = iota
	runTests             // flaky or broken tests failed
	runJob               // the job failed without a test cause (flaky job)
	runInfra             // infrastructure_fail
	runCanceled          // superseded, canceled mid-run
	runNotRun            // [ci skip]: lifecycle not_run
	runTimedout          // a step stopped producing output: outcome timedout (counts as failed)
	runNoTests           // a 1.0 build that ran no test command: outcome no_tests
)

// run is one build (job run) inside a slot: the unit that gets a build_num.
type run struct {
	job       string
	wf        int // workflow index; -1 for 1.0 builds
	attempt   int
	prev      int // slot index of the run this one retries, -1 if none
	retry     int // slot index of the run that retries this one, -1 if none
	gen       int // workflow generation (reruns get a new workflow id)
	fail      failKind
	failTests []int
	offset    time.Duration // nominal creation offset from the slot's time
	upstream  []int         // slot indexes of upstream runs
}

// slot is one push: a revision on a branch and every build it caused, retries included.
type slot struct {
	p          *project
	idx        int
	branch     string
	feature    bool
	revision   string
	broken     bool
	brokenTest int
	runs       []run
}

// nominalSpan bounds a slot's nominal creation offsets; slots closer than this are compressed.
func nominalSpan(o Options) time.Duration {
	return 75*time.Minute + time.Duration(o.WorkflowsPerCommit)*time.Minute
}

// forcePeriod makes each flaky test and job fail-then-pass on one revision every ~3 days, so the
// injected flakiness is always observable inside a 14-day window, whatever the random draws.
func forcePeriod(o Options, p *project) int {
	perSlot := 4.5 * float64(o.WorkflowsPerCommit)
	if p.legacy {
		perSlot = 1.2
	}
	slotsPerDay := float64(o.BuildsPerProject) / float64(o.Days) / perSlot
	return max(3, int(slotsPerDay*3))
}

func (g *generator) simulateSlot(p *project, i int) *slot {
	o := g.opts
	seed, pi, si := o.Seed, int64(p.idx), int64(i)
	s := &slot{p: p, idx: i, branch: p.defaultBranch, revision: hexID(seed, 40, tagRevision, pi, si)}
	if unit(h(seed, tagBranch, pi, si)) < 0.45 {
		s.feature = true
		w := featureWords[h(seed, tagBranch, pi, int64(i/4))%uint64(len(featureWords))]
		s.branch = fmt.Sprintf("feature/%s-%d", w, i/4)
	}
	kind := unit(h(seed, tagSlotKind, pi, si))
	canceled := s.feature && kind < 0.03
	if s.feature && !canceled && unit(h(seed, tagBroken, pi, si)) < 0.12 {
		s.broken = true
		t := int(h(seed, tagBroken, pi, si, 1) % uint64(len(p.tests)))
		for k := 0; k < len(p.tests) && (p.isFlaky(t) || p.tests[t].skipped); k++ {
			t = (t + 1) % len(p.tests)
		}
		s.brokenTest = t
		s.broken = !p.isFlaky(t) && !p.tests[t].skipped // no test left to break in tiny datasets
	}
	period := forcePeriod(o, p)
	outcome := func(job string, wf, attempt int, tmpl jobTemplate) (failKind, []int) {
		jh := strHash(job) + int64(wf)
		if canceled && (job == "test" || job == "lint" || p.legacy) && attempt == 0 {
			return runCanceled, nil
		}
		if attempt == 0 && job != p.flakyJob && unit(h(seed, tagInfra, pi, si, jh)) < 0.01 {
			return runInfra, nil
		}
		// Timeouts only on jobs without tests and not the flaky job, and never retried, so they
		// neither hide a flaky test's forced failure nor make a job look flaky.
		if attempt == 0 && job != p.flakyJob && !tmpl.hasTests && unit(h(seed, tagTimedout, pi, si, jh)) < 0.01 {
			return runTimedout, nil
		}
		if job == p.flakyJob && wf == 0 {
			forced := (i+p.idx)%period == 0
			if attempt == 0 && (forced || unit(h(seed, tagFlakyJob, pi, si)) < p.flakyJobRate) {
				return runJob, nil
			}
			return runOK, nil
		}
		if !tmpl.hasTests {
			return runOK, nil
		}
		var failing []int
		if s.broken {
			failing = append(failing, s.brokenTest)
		}
		for k, f := range p.flaky {
			forced := (i+3*k+1)%period == 0
			x := unit(h(seed, tagFlakyTest, pi, si, int64(k), int64(wf), int64(attempt)))
			if (forced && attempt == 0) || (!(forced && attempt == 1) && x < f.rate) {
				failing = append(failing, f.test)
			}
		}
		if len(failing) > 0 {
			return runTests, failing
		}
		return runOK, nil
	}
	maxAttempts := 3
	if s.broken {
		maxAttempts = 2
	}
	var maxOff time.Duration
	add := func(r run) int {
		r.retry = -1
		maxOff = max(maxOff, r.offset)
		if r.prev >= 0 {
			s.runs[r.prev].retry = len(s.runs)
		}
		s.runs = append(s.runs, r)
		return len(s.runs) - 1
	}
	// attempts runs one job until it passes or gives up; it returns the final run's index.
	type chain struct {
		last int
		done bool
		ok   bool
	}
	step := func(c *chain, job string, wf, attempt, gen int, off time.Duration, up []int) {
		if c.done {
			return
		}
		tmpl := jobTemplateFor(p, job)
		fk, ft := outcome(job, wf, attempt, tmpl)
		prev := -1
		if attempt > 0 {
			prev = c.last
		}
		c.last = add(run{job: job, wf: wf, attempt: attempt, prev: prev, gen: gen, fail: fk, failTests: ft, offset: off, upstream: up})
		switch {
		case fk == runOK:
			c.done, c.ok = true, true
		case fk == runTests || fk == runJob || fk == runInfra: // infrastructure fails are auto-retried
			c.done = attempt+1 >= maxAttempts
		default:
			c.done = true
		}
	}
	if p.legacy {
		if kind > 0.96 {
			add(run{job: "build", wf: -1, prev: -1, fail: runNotRun})
			return s
		}
		forced := false
		for k := range p.flaky {
			forced = forced || (i+3*k+1)%period == 0
		}
		if !forced && !s.broken && !canceled && unit(h(seed, tagNoTests, pi, si)) < 0.03 {
			add(run{job: "build", wf: -1, prev: -1, fail: runNoTests})
			return s
		}
		c := &chain{}
		for a := 0; !c.done; a++ {
			step(c, "build", -1, a, a, time.Duration(a)*10*time.Minute, nil)
		}
		return s
	}
	b := &chain{}
	for a := 0; !b.done; a++ {
		step(b, "build", 0, a, a, time.Duration(a)*9*time.Minute, nil)
	}
	last := time.Duration(0)
	if b.ok {
		cursor := time.Duration(len(s.runs)) * 9 * time.Minute
		gen0 := len(s.runs) - 1
		t, l := &chain{}, &chain{}
		up := []int{b.last}
		for a := 0; !t.done || !l.done; a++ {
			off := cursor + time.Duration(a)*12*time.Minute
			step(t, "test", 0, a, gen0+a, off, up)
			step(l, "lint", 0, a, gen0+a, off+time.Second, up)
			last = off + 2*time.Second
		}
		if t.ok && l.ok && !s.feature {
			gen := max(s.runs[t.last].gen, s.runs[l.last].gen)
			add(run{job: "deploy", wf: 0, prev: -1, gen: gen, offset: last + 4*time.Minute, upstream: []int{t.last, l.last}})
		}
	}
	for w := 1; w < o.WorkflowsPerCommit; w++ {
		add(run{job: fmt.Sprintf("e2e-%d", w), wf: w, prev: -1, offset: maxOff + time.Minute + 3*time.Second})
	}
	return s
}

func (p *project) isFlaky(t int) bool {
	for _, f := range p.flaky {
		if f.test == t {
			return true
		}
	}
	return false
}
