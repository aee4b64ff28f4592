package circlecitest

import (
	"time"
)

// build is one resolved build: a generated run in its slot, or a build created by a write.
type build struct {
	p         *project
	num       int
	s         *slot
	r         run
	tmpl      jobTemplate
	created   time.Time
	why       string
	apiUser   bool // triggered through the API: reduced user object
	inserted  bool
	retryOf   int   // build_num, 0 if none
	retries   []int // build_nums
	upNums    []int
	cancelAt  time.Time // from a cancel write; zero if none
	sshUsers  []string
	nodes     int               // containers asked for by a trigger (1.0 only); 0 = the job's own
	params    map[string]string // build_parameters of a triggered build
	tag       string            // vcs_tag of a triggered build
	ssh       bool              // a retry with SSH enabled
	cacheMiss bool              // the first build after DELETE …/build-cache
}

// action is one step's run on one node.
type action struct {
	step       int // step number (101.. on 2.0)
	index      int // node
	start, end time.Time
	status     string
	exitCode   int // -1 = null
	failed     bool
	timedout   bool
	canceled   bool
	infra      bool
	background bool
	running    bool
}

// timeline is a build's state at one instant of the simulated clock.
type timeline struct {
	lifecycle, status, outcome string
	usageQueued, queued        time.Time
	start, stop                time.Time // zero = null
	nodes                      int
	steps                      [][]action // per step, per node; only steps that started
	stepNames                  []string
	stepTypes                  []string
	failedTests                []int
	finished                   bool
}

func stepNumber(t jobTemplate, s int) int {
	if t.legacy {
		return s
	}
	switch s {
	case 0:
		return 0
	case 1:
		return 99
	}
	return 99 + s
}

type tlKey struct {
	pi, num int
	now     time.Time
}

// timeline computes the build's queue times, step actions and status as seen at now. A small
// memo serves the repeats of one page (each build is also the next one's "previous").
func (w *world) timeline(b *build, now time.Time) timeline {
	k := tlKey{b.p.idx, b.num, now}
	if tl, ok := w.tlMemo[k]; ok {
		return tl
	}
	tl := w.computeTimeline(b, now)
	if w.tlMemo == nil || len(w.tlMemo) >= 2048 {
		w.tlMemo = map[tlKey]timeline{}
	}
	w.tlMemo[k] = tl
	return tl
}

func (w *world) computeTimeline(b *build, now time.Time) timeline {
	g := w.gen
	seed, pi := g.opts.Seed, int64(b.p.idx)
	tl := timeline{usageQueued: b.created, nodes: 1}
	if b.r.fail == runNotRun {
		tl.lifecycle, tl.status = "not_run", "not_run"
		tl.finished = true
		return tl
	}
	f := g.queueFactor(b.created)
	uq := time.Duration((1.5 + 20*f*expo(h(seed, tagQueue, pi, int64(b.num)))) * float64(time.Second))
	rq := time.Duration((0.5 + 8*f*expo(h(seed, tagRunQueue, pi, int64(b.num)))) * float64(time.Second))
	if !b.inserted && unit(h(seed, tagScheduled, pi, int64(b.num))) < 0.03 {
		// scheduled: waits 2-10 min before it enters the usage queue; the queue times after that
		// follow the usual pattern, so queue statistics are unchanged.
		sched := time.Duration((2 + 8*unit(h(seed, tagScheduled, pi, int64(b.num), 1))) * float64(time.Minute))
		tl.usageQueued = b.created.Add(sched).Truncate(time.Millisecond)
	}
	tl.queued = tl.usageQueued.Add(uq).Truncate(time.Millisecond)
	tl.start = tl.queued.Add(rq).Truncate(time.Millisecond)
	tl.nodes = b.tmpl.parallelOf(b.p)
	if b.nodes > 0 {
		tl.nodes = b.nodes
	}
	fk := b.r.fail
	failStep := -1
	failNodes := map[int]bool{}
	switch fk {
	case runJob:
		failStep = b.tmpl.failStep
		failNodes[0] = true
	case runTests:
		failStep = b.tmpl.testStep
		for _, t := range b.r.failTests {
			failNodes[t%tl.nodes] = true
		}
	case runInfra:
		failStep = 0
		failNodes[0] = true
	case runTimedout:
		failStep = b.tmpl.failStep
		failNodes[0] = true
	}
	regress := b.p.idx == g.sc.regProject && b.tmpl.name == g.sc.regJob && !b.created.Before(g.sc.regDate)
	var stop time.Time
	cancelAt := b.cancelAt
	if fk == runCanceled {
		cancelAt = tl.start.Add(40 * time.Second)
	}
	if !cancelAt.IsZero() && cancelAt.Before(tl.start) && !now.Before(cancelAt) {
		// canceled while still waiting: it never started
		if cancelAt.Before(tl.queued) {
			tl.queued = time.Time{}
		}
		tl.start, tl.stop = time.Time{}, cancelAt
		tl.finished, tl.lifecycle, tl.outcome, tl.status = true, "finished", "canceled", "canceled"
		return tl
	}
	nodeEnd := make([]time.Time, tl.nodes)
	for n := range nodeEnd {
		nodeEnd[n] = tl.start
	}
	halted := false
	for si, st := range b.tmpl.steps {
		if halted && !(st.name == "Uploading test results" || st.name == "Uploading artifacts" || st.name == "Collect test metadata") {
			continue
		}
		if fk == runNoTests && (si == b.tmpl.testStep || st.name == "Collect test metadata") {
			continue // no test command was inferred
		}
		var acts []action
		for n := 0; n < tl.nodes; n++ {
			d := float64(st.millis) * (0.85 + 0.3*unit(h(seed, tagStep, pi, int64(b.num), int64(si), int64(n))))
			if st.parallel {
				d /= float64(tl.nodes)
			}
			if regress && st.name == g.sc.regStep {
				d *= g.sc.regFactor
			}
			if b.cacheMiss && cacheBound(st.name) {
				d *= 3 // nothing restored: dependencies install from scratch
			}
			a := action{step: stepNumber(b.tmpl, si), index: n, start: nodeEnd[n], status: "success", exitCode: 0, background: st.background}
			a.end = a.start.Add(time.Duration(d * float64(time.Millisecond))).Truncate(time.Millisecond)
			if si == failStep && failNodes[n] {
				a.status, a.exitCode, a.failed = "failed", 1, true
				switch fk {
				case runInfra:
					a.status, a.infra, a.exitCode = "failed", true, -1
				case runTimedout: // killed after 10 minutes without output
					a.end = a.start.Add(10*time.Minute + time.Duration(d*float64(time.Millisecond))).Truncate(time.Millisecond)
					a.timedout, a.exitCode = true, -1
				}
			}
			if !cancelAt.IsZero() && cancelAt.Before(a.end) && !st.background {
				if !cancelAt.After(a.start) {
					continue
				}
				a.end, a.status, a.canceled, a.exitCode = cancelAt, "canceled", true, -1
			}
			if !st.background {
				nodeEnd[n] = a.end
				stop = maxTime(stop, a.end)
			}
			acts = append(acts, a)
		}
		if len(acts) == 0 {
			continue
		}
		tl.steps = append(tl.steps, acts)
		tl.stepNames = append(tl.stepNames, st.name)
		typ := st.typ
		if typ == "" {
			typ = "test"
		}
		tl.stepTypes = append(tl.stepTypes, typ)
		if si == failStep {
			halted = true
		}
	}
	tl.stop = stop
	outcome := "success"
	switch {
	case !cancelAt.IsZero() && cancelAt.Before(stop.Add(time.Millisecond)):
		outcome = "canceled"
	case fk == runTests || fk == runJob:
		outcome = "failed"
		tl.failedTests = b.r.failTests
	case fk == runInfra:
		outcome = "infrastructure_fail"
	case fk == runTimedout:
		outcome = "timedout"
	case fk == runNoTests:
		outcome = "no_tests"
	}
	// Now decides what the API shows: future times are hidden, running actions have no end.
	switch {
	case now.Before(tl.usageQueued):
		tl.lifecycle, tl.status = "scheduled", "scheduled"
		tl.usageQueued, tl.queued, tl.start, tl.stop, tl.steps, tl.stepNames, tl.stepTypes = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil, nil, nil
		tl.failedTests = nil
		return tl
	case now.Before(tl.queued):
		tl.lifecycle, tl.status = "not_running", "not_running"
		tl.queued, tl.start, tl.stop, tl.steps, tl.stepNames, tl.stepTypes = time.Time{}, time.Time{}, time.Time{}, nil, nil, nil
		return tl
	case now.Before(tl.start):
		tl.lifecycle, tl.status = "queued", "queued"
		tl.start, tl.stop, tl.steps, tl.stepNames, tl.stepTypes = time.Time{}, time.Time{}, nil, nil, nil
		return tl
	case now.Before(tl.stop):
		tl.lifecycle, tl.status = "running", "running"
		tl.stop = time.Time{}
		tl.failedTests = nil
		var steps [][]action
		var names, types []string
		for si, acts := range tl.steps {
			var started []action
			for _, a := range acts {
				if a.start.After(now) {
					continue
				}
				a.running = a.end.After(now) || a.background
				started = append(started, a)
			}
			if len(started) > 0 {
				steps = append(steps, started)
				names, types = append(names, tl.stepNames[si]), append(types, tl.stepTypes[si])
			}
		}
		tl.steps, tl.stepNames, tl.stepTypes = steps, names, types
		return tl
	}
	tl.finished = true
	tl.lifecycle, tl.outcome, tl.status = "finished", outcome, outcome
	if outcome == "success" && b.retryOf > 0 && b.r.attempt > 0 {
		tl.status = "fixed"
	}
	if outcome == "infrastructure_fail" && (b.r.retry >= 0 || len(b.retries) > 0) {
		tl.status = "retried" // as a real auto-retried build shows (status retried, outcome infrastructure_fail)
	}
	for _, acts := range tl.steps {
		for k := range acts {
			if acts[k].background {
				acts[k].running = true // background containers still "running" in a finished build
			}
		}
	}
	return tl
}

// cacheBound says whether a step's duration depends on the dependency cache.
func cacheBound(step string) bool {
	return step == "Install dependencies" || step == "bundle install"
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
