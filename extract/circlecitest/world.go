package circlecitest

import (
	"time"
)

// world is the simulator's whole state: the generator (a pure function of the options) plus the
// small overlay of writes and the simulated clock. Handler guards it with one mutex.
type world struct {
	gen       *generator
	now       time.Time
	ins       [][]*build // per project, builds created by writes, in creation order
	afterGen  [][]int    // per project, generated builds visible when each inserted build was made
	canceled  []map[int]time.Time
	retries   []map[int][]int
	sshUsers  []map[int][]string
	following []bool
	keys      [][]checkoutKey
	herokuKey string
	userKeyFP string              // fingerprint of the key POST /user/ssh-key made; /me shows it
	envvars   []map[string]string // per project, name → value
	sshKeys   [][]hostKey         // per project, from POST …/ssh-key; /projects shows them
	cacheGone []bool              // per project: DELETE …/build-cache; the next new build misses the cache
	visNow    time.Time
	vis       []int
	tlMemo    map[tlKey]timeline // cleared by every write that changes a build
}

func newWorld(o Options) *world {
	w := &world{gen: newGenerator(o), now: o.Now}
	n := len(w.gen.projects)
	w.ins, w.afterGen = make([][]*build, n), make([][]int, n)
	w.canceled, w.retries, w.sshUsers = make([]map[int]time.Time, n), make([]map[int][]int, n), make([]map[int][]string, n)
	w.following, w.keys = make([]bool, n), make([][]checkoutKey, n)
	w.envvars, w.sshKeys, w.cacheGone = make([]map[string]string, n), make([][]hostKey, n), make([]bool, n)
	for i, p := range w.gen.projects {
		w.canceled[i], w.retries[i], w.sshUsers[i] = map[int]time.Time{}, map[int][]int{}, map[int][]string{}
		w.following[i] = true
		w.envvars[i] = map[string]string{}
		w.keys[i] = []checkoutKey{initialKey(o.Seed, p)}
	}
	return w
}

func (w *world) advance(d time.Duration) {
	if d > 0 {
		w.now = w.now.Add(d)
	}
}

// genVisible is the number of generated builds of project pi that exist at the current clock.
func (w *world) genVisible(pi int) int {
	if !w.visNow.Equal(w.now) || w.vis == nil {
		w.vis = make([]int, len(w.gen.projects))
		for i := range w.vis {
			w.vis[i] = -1
		}
		w.visNow = w.now
	}
	if w.vis[pi] < 0 {
		w.vis[pi] = w.gen.visible(pi, w.now)
	}
	return w.vis[pi]
}

// total is the highest build_num of project pi; build_nums 1..total are contiguous.
func (w *world) total(pi int) int { return w.genVisible(pi) + len(w.ins[pi]) }

func (w *world) numOfGen(pi, gi int) int {
	n := gi
	for _, a := range w.afterGen[pi] {
		if a < gi {
			n++
		}
	}
	return n
}

func (w *world) slot(pi, i int) *slot {
	return w.gen.slot(pi, i)
}

// resolve returns build num of project pi as it exists now, with the writes applied.
func (w *world) resolve(pi, num int) (*build, bool) {
	if num < 1 || num > w.total(pi) {
		return nil, false
	}
	before := 0
	for k, a := range w.afterGen[pi] {
		n := a + k + 1
		if n == num {
			b := *w.ins[pi][k]
			w.applyOverlay(&b)
			return &b, true
		}
		if n < num {
			before++
		}
	}
	gi := num - before
	g := w.gen
	i, r := g.slotOf(pi, gi)
	s := w.slot(pi, i)
	ru := s.runs[r]
	base := g.plans[pi].starts[i]
	b := &build{p: g.projects[pi], num: num, s: s, r: ru, tmpl: jobTemplateFor(s.p, ru.job), created: g.created(pi, gi), why: "github"}
	if s.p.vcsType == "bitbucket" {
		b.why = "bitbucket"
	}
	if ru.prev >= 0 {
		b.retryOf = w.numOfGen(pi, base+ru.prev)
		b.why = "retry"
		if s.runs[ru.prev].fail == runInfra {
			b.why = "auto-retry"
		}
	}
	if ru.retry >= 0 {
		if n := w.numOfGen(pi, base+ru.retry); n <= w.total(pi) && base+ru.retry <= w.genVisible(pi) {
			b.retries = append(b.retries, n)
		}
	}
	if ru.fail == runNotRun {
		b.apiUser = true
	}
	for _, u := range ru.upstream {
		b.upNums = append(b.upNums, base+u)
	}
	w.applyOverlay(b)
	return b, true
}

func (w *world) applyOverlay(b *build) {
	pi := b.p.idx
	if t, ok := w.canceled[pi][b.num]; ok {
		b.cancelAt = t
	}
	if rs := w.retries[pi][b.num]; len(rs) > 0 {
		b.retries = append(append([]int(nil), b.retries...), rs...)
	}
	b.sshUsers = w.sshUsers[pi][b.num]
}

// forget drops memoized timelines after a write changed a build.
func (w *world) forget() { w.tlMemo = nil }

// insert records a build created by a write at the current clock and returns its build_num.
func (w *world) insert(b *build) int {
	pi := b.p.idx
	a := w.genVisible(pi)
	k := len(w.ins[pi])
	b.num = a + k + 1
	b.created = w.now
	b.inserted = true
	if w.cacheGone[pi] {
		b.cacheMiss, w.cacheGone[pi] = true, false
	}
	w.forget()
	w.ins[pi] = append(w.ins[pi], b)
	w.afterGen[pi] = append(w.afterGen[pi], a)
	return b.num
}

// previous finds the latest earlier build on the same branch (bounded scan, like a cheap index).
func (w *world) previous(b *build) *build {
	for n := b.num - 1; n >= 1 && n >= b.num-48; n-- {
		pb, ok := w.resolve(b.p.idx, n)
		if ok && pb.s.branch == b.s.branch {
			return pb
		}
	}
	return nil
}

// previousSuccessful finds the latest earlier build on the same branch that has finished with
// outcome success as of now. The scan is bounded like previous's: a generated feature branch
// spans a few pushes, so 64 builds cover it (400 made list pages 3× slower).
func (w *world) previousSuccessful(b *build) (*build, timeline) {
	for n := b.num - 1; n >= 1 && n >= b.num-64; n-- {
		pb, ok := w.resolve(b.p.idx, n)
		if !ok || pb.s.branch != b.s.branch {
			continue
		}
		if tl := w.timeline(pb, w.now); tl.finished && tl.outcome == "success" {
			return pb, tl
		}
	}
	return nil, timeline{}
}

// retryBuild creates a retry of num (same revision, why "retry").
func (w *world) retryBuild(pi, num int) (*build, bool) {
	orig, ok := w.resolve(pi, num)
	if !ok {
		return nil, false
	}
	nb := &build{p: orig.p, s: orig.s, tmpl: orig.tmpl, why: "retry", retryOf: num, nodes: orig.nodes, params: orig.params, tag: orig.tag,
		r: run{job: orig.r.job, wf: orig.r.wf, attempt: orig.r.attempt + 1, prev: -1, retry: -1, gen: orig.r.gen + 1}}
	if orig.s.broken && orig.tmpl.hasTests {
		nb.r.fail, nb.r.failTests = runTests, []int{orig.s.brokenTest} // a broken commit stays broken
	}
	n := w.insert(nb)
	w.retries[pi][num] = append(w.retries[pi][num], n)
	return nb, true
}

// trigger is what a trigger write asks for (docs: revision or tag, parallel, build_parameters).
type trigger struct {
	branch, revision, tag string
	parallel              int               // containers; the docs say 2.0 builds ignore it
	params                map[string]string // build_parameters; CIRCLE_JOB picks the job
	why                   string            // default "api"
	user                  bool              // a signed-in user's action: full user object
	workflow              bool              // a workflow job (the pipeline-style …/build endpoint)
}

// triggerBuild creates a build on tr.branch through the API: a 2.0 job outside workflows (or a
// 1.0 build on a 1.0 project) at the given revision or tag, else at the branch's head.
func (w *world) triggerBuild(pi int, tr trigger) *build {
	p := w.gen.projects[pi]
	rev := tr.revision
	if rev == "" && tr.tag != "" {
		rev = hexID(w.gen.opts.Seed, 40, tagRevision, int64(pi), strHash("tag:"+tr.tag))
	}
	if rev == "" {
		rev = hexID(w.gen.opts.Seed, 40, tagRevision, int64(pi), strHash(tr.branch))
		for n := w.total(pi); n >= 1 && n > w.total(pi)-200; n-- {
			if b, ok := w.resolve(pi, n); ok && b.s.branch == tr.branch {
				rev = b.s.revision
				break
			}
		}
	}
	job := "build"
	if j := tr.params["CIRCLE_JOB"]; j != "" && !tr.workflow {
		job = j
	}
	why := tr.why
	if why == "" {
		why = "api"
	}
	s := &slot{p: p, idx: -1, branch: tr.branch, feature: tr.branch != p.defaultBranch, revision: rev}
	nb := &build{p: p, s: s, tmpl: jobTemplateFor(p, job), why: why, apiUser: !tr.user, tag: tr.tag, params: tr.params,
		r: run{job: job, wf: -1, prev: -1, retry: -1}}
	if tr.workflow {
		nb.r.wf, nb.params = 0, nil
	}
	if p.legacy && tr.parallel > 0 {
		nb.nodes = tr.parallel
	}
	w.insert(nb)
	return nb
}
