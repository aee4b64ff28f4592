package circlecitest

import (
	"sort"
	"time"
)

// Truth is the ground truth of the generated dataset, shaped like the --truth file (SPEC §9).
type Truth struct {
	FlakyTests  []TruthTest     `json:"flaky_tests"`
	FlakyJobs   []TruthJob      `json:"flaky_jobs"`
	Regression  TruthRegression `json:"regression"`
	QueueCrunch TruthWindow     `json:"queue_crunch"`
}

// TruthTest is a test that both passed and failed on one revision within the last 14 days.
type TruthTest struct {
	ProjectSlug string `json:"project_slug"`
	Classname   string `json:"classname"`
	Name        string `json:"name"`
}

// TruthJob is a job that both succeeded and failed on one revision within the last 14 days.
type TruthJob struct {
	ProjectSlug string `json:"project_slug"`
	JobName     string `json:"job_name"`
}

// TruthRegression is the injected duration regression of one step.
type TruthRegression struct {
	ProjectSlug string  `json:"project_slug"`
	JobName     string  `json:"job_name"`
	StepName    string  `json:"step_name"`
	Date        string  `json:"date"`
	Factor      float64 `json:"factor"`
}

// TruthWindow is the queue crunch: queue times are about 10× normal inside it.
type TruthWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// FlakyWindow is the look-back of the flaky definitions (CircleCI Insights counts 14 days).
const FlakyWindow = 14 * 24 * time.Hour

// Truth scores the served data by the spec's own definitions over the last 14 days, so a correct
// query finds exactly these; the injected rates only make them likely, the forced schedule certain.
func (hd *Handler) Truth() Truth {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	w := hd.w
	g := w.gen
	type rev struct{ pass, fail bool }
	var t Truth
	since := w.now.Add(-FlakyWindow)
	for pi, p := range g.projects {
		tests := map[[2]int64]*rev{} // (test, revision hash)
		jobs := map[string]map[string]*rev{}
		for n := w.total(pi); n >= 1; n-- {
			b, _ := w.resolve(pi, n)
			if b.created.Before(since.Add(-2 * time.Hour)) {
				break
			}
			tl := w.timeline(b, w.now)
			if !tl.finished || tl.queued.Before(since) {
				continue
			}
			job := b.r.job
			if jobs[job] == nil {
				jobs[job] = map[string]*rev{}
			}
			jr := jobs[job][b.s.revision]
			if jr == nil {
				jr = &rev{}
				jobs[job][b.s.revision] = jr
			}
			jr.pass = jr.pass || tl.outcome == "success"
			jr.fail = jr.fail || tl.outcome == "failed" || tl.outcome == "timedout"
			if !w.testsRan(b, tl) {
				continue
			}
			cands := map[int]bool{}
			for _, f := range p.flaky {
				cands[f.test] = true
			}
			if b.s.broken {
				cands[b.s.brokenTest] = true
			}
			for ti := range cands {
				k := [2]int64{int64(ti), strHash(b.s.revision)}
				tr := tests[k]
				if tr == nil {
					tr = &rev{}
					tests[k] = tr
				}
				switch w.testResult(b, tl, ti) {
				case "success":
					tr.pass = true
				case "failure", "error":
					tr.fail = true
				}
			}
		}
		flakyT := map[int]bool{}
		for k, r := range tests {
			if r.pass && r.fail {
				flakyT[int(k[0])] = true
			}
		}
		for ti := range flakyT {
			t.FlakyTests = append(t.FlakyTests, TruthTest{ProjectSlug: p.slug, Classname: p.tests[ti].classname, Name: p.tests[ti].name})
		}
		for job, revs := range jobs {
			for _, r := range revs {
				if r.pass && r.fail {
					t.FlakyJobs = append(t.FlakyJobs, TruthJob{ProjectSlug: p.slug, JobName: job})
					break
				}
			}
		}
	}
	sort.Slice(t.FlakyTests, func(i, j int) bool {
		a, b := t.FlakyTests[i], t.FlakyTests[j]
		if a.ProjectSlug != b.ProjectSlug {
			return a.ProjectSlug < b.ProjectSlug
		}
		return a.Classname+"\x00"+a.Name < b.Classname+"\x00"+b.Name
	})
	sort.Slice(t.FlakyJobs, func(i, j int) bool {
		a, b := t.FlakyJobs[i], t.FlakyJobs[j]
		return a.ProjectSlug+"\x00"+a.JobName < b.ProjectSlug+"\x00"+b.JobName
	})
	if t.FlakyTests == nil {
		t.FlakyTests = []TruthTest{}
	}
	if t.FlakyJobs == nil {
		t.FlakyJobs = []TruthJob{}
	}
	sc := g.sc
	t.Regression = TruthRegression{ProjectSlug: g.projects[sc.regProject].slug, JobName: sc.regJob, StepName: sc.regStep,
		Date: sc.regDate.Format("2006-01-02"), Factor: sc.regFactor}
	t.QueueCrunch = TruthWindow{Start: sc.crunchStart.Format(time.RFC3339), End: sc.crunchEnd.Format(time.RFC3339)}
	return t
}

// Stats describes what the API serves now, for tests of the client and the pipeline.
type Stats struct {
	Projects []ProjectStats
}

// ProjectStats is one project's builds as served now, newest first.
type ProjectStats struct {
	Slug          string
	OSS           bool
	DefaultBranch string
	Builds        []BuildStats
}

// BuildStats is one build as served now; counts are of steps, actions, tests and artifacts.
type BuildStats struct {
	BuildNum                                                 int
	Lifecycle, Status, Outcome, JobName, Branch, VCSRevision string
	QueuedAt                                                 time.Time
	Parallel, Steps, Actions, Tests, Artifacts               int
}

// Stats returns the generator-side view of everything the API serves at the current clock.
func (hd *Handler) Stats() Stats {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	w := hd.w
	var st Stats
	for pi, p := range w.gen.projects {
		ps := ProjectStats{Slug: p.slug, OSS: p.oss, DefaultBranch: p.defaultBranch}
		for n := w.total(pi); n >= 1; n-- {
			b, _ := w.resolve(pi, n)
			tl := w.timeline(b, w.now)
			bs := BuildStats{BuildNum: n, Lifecycle: tl.lifecycle, Status: tl.status, Outcome: tl.outcome,
				JobName: b.r.job, Branch: b.s.branch, VCSRevision: b.s.revision, QueuedAt: tl.queued,
				Parallel: tl.nodes, Steps: len(tl.steps), Artifacts: len(w.artifactPaths(b, tl))}
			for _, a := range tl.steps {
				bs.Actions += len(a)
			}
			if w.testsRan(b, tl) {
				bs.Tests = len(p.tests)
			}
			ps.Builds = append(ps.Builds, bs)
		}
		st.Projects = append(st.Projects, ps)
	}
	return st
}
