package circlecitest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

func allBuilds(t *testing.T, s *Server, slug string) []map[string]any {
	var out []map[string]any
	for off := 0; ; off += 100 {
		page := list(t, s, "/project/"+slug+"?limit=100&offset="+strconv.Itoa(off))
		out = append(out, page...)
		if len(page) < 100 {
			return out
		}
	}
}

func jobName(b map[string]any) string {
	if wf, ok := b["workflows"].(map[string]any); ok {
		return wf["job_name"].(string)
	}
	if bp, ok := b["build_parameters"].(map[string]any); ok && bp["CIRCLE_JOB"] != nil {
		return bp["CIRCLE_JOB"].(string)
	}
	return "build"
}

// TestTruthMatchesSpecDefinitions recomputes flaky tests and jobs from the HTTP responses alone,
// with SPEC §5's definitions, and requires exactly Truth's lists.
func TestTruthMatchesSpecDefinitions(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 200; o.Days = 30; o.TestsPerJob = 20 })
	since := s.Now().Add(-FlakyWindow)
	type pf struct{ pass, fail bool }
	gotTests, gotJobs := map[TruthTest]bool{}, map[TruthJob]bool{}
	consistent := 0
	for _, p := range s.Stats().Projects {
		tests := map[string]*pf{} // classname|file|name|revision
		jobs := map[string]*pf{}
		failsOnRev := map[string]map[string]int{} // test -> revision -> failures
		for _, b := range allBuilds(t, s, p.Slug) {
			q, err := time.Parse(time.RFC3339, str(b["queued_at"]))
			if err != nil || q.Before(since) || b["lifecycle"] != "finished" {
				continue
			}
			rev, job := b["vcs_revision"].(string), jobName(b)
			k := job + "|" + rev
			if jobs[k] == nil {
				jobs[k] = &pf{}
			}
			jobs[k].pass = jobs[k].pass || b["outcome"] == "success"
			jobs[k].fail = jobs[k].fail || b["outcome"] == "failed"
			tr := getJSON(t, s, "/project/"+p.Slug+"/"+strconv.Itoa(num(b["build_num"]))+"/tests").(map[string]any)
			for _, tc := range tr["tests"].([]any) {
				m := tc.(map[string]any)
				id, _ := json.Marshal([]any{m["classname"], m["file"], m["name"]})
				tk := string(id) + "|" + rev
				if tests[tk] == nil {
					tests[tk] = &pf{}
				}
				switch m["result"] {
				case "success":
					tests[tk].pass = true
				case "failure", "error":
					tests[tk].fail = true
					if failsOnRev[string(id)] == nil {
						failsOnRev[string(id)] = map[string]int{}
					}
					failsOnRev[string(id)][rev]++
				}
			}
		}
		for k, v := range jobs {
			if v.pass && v.fail {
				gotJobs[TruthJob{p.Slug, k[:indexFrom(k, "|", 0)]}] = true
			}
		}
		flakyIDs := map[string]bool{}
		for k, v := range tests {
			if v.pass && v.fail {
				var id []any
				_ = json.Unmarshal([]byte(k[:indexFrom(k, "]|", 0)+1]), &id)
				gotTests[TruthTest{p.Slug, id[0].(string), id[2].(string)}] = true
				flakyIDs[k[:indexFrom(k, "]|", 0)+1]] = true
			}
		}
		for id, revs := range failsOnRev {
			if !flakyIDs[id] && len(revs) > 0 {
				consistent++ // failed in the window, yet never passed on a failing revision
			}
		}
	}
	truth := s.Truth()
	want := map[TruthTest]bool{}
	for _, x := range truth.FlakyTests {
		want[x] = true
	}
	if !sameSet(gotTests, want) {
		t.Errorf("flaky tests from HTTP %v\n  Truth %v", keys(gotTests), truth.FlakyTests)
	}
	wantJobs := map[TruthJob]bool{}
	for _, x := range truth.FlakyJobs {
		wantJobs[x] = true
	}
	if !sameSet(gotJobs, wantJobs) {
		t.Errorf("flaky jobs from HTTP %v\n  Truth %v", keys(gotJobs), truth.FlakyJobs)
	}
	if len(truth.FlakyTests) != 6 {
		t.Errorf("%d flaky tests in Truth, want every injected one (6)", len(truth.FlakyTests))
	}
	if consistent == 0 {
		t.Error("no consistently failing (non-flaky) test in the window: the negative case is untested")
	}
}

func sameSet[K comparable](a, b map[K]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys[K comparable](m map[K]bool) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRegressionVisible(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.Projects = 1; o.BuildsPerProject = 150; o.Days = 30 })
	tr := s.Truth().Regression
	date, _ := time.Parse("2006-01-02", tr.Date)
	var before, after, buildBefore, buildAfter []float64
	for _, b := range allBuilds(t, s, tr.ProjectSlug) {
		if jobName(b) != tr.JobName || b["outcome"] != "success" {
			continue
		}
		d := getJSON(t, s, "/project/"+tr.ProjectSlug+"/"+strconv.Itoa(num(b["build_num"]))).(map[string]any)
		q, _ := time.Parse(time.RFC3339, str(d["usage_queued_at"]))
		for _, st := range d["steps"].([]any) {
			step := st.(map[string]any)
			if step["name"] != tr.StepName {
				continue
			}
			ms := step["actions"].([]any)[0].(map[string]any)["run_time_millis"].(float64)
			bt, _ := d["build_time_millis"].(float64)
			if q.Before(date) {
				before, buildBefore = append(before, ms), append(buildBefore, bt)
			} else {
				after, buildAfter = append(after, ms), append(buildAfter, bt)
			}
		}
	}
	if len(before) < 5 || len(after) < 5 {
		t.Fatalf("too few runs: %d before, %d after", len(before), len(after))
	}
	ratio := median(after) / median(before)
	if math.Abs(ratio-tr.Factor) > 0.2*tr.Factor {
		t.Errorf("step p50 ratio %.2f, Truth factor %.2f", ratio, tr.Factor)
	}
	if median(buildAfter) <= median(buildBefore)*1.15 {
		t.Errorf("build_time_millis p50 %.0f → %.0f: regression not visible in build time", median(buildBefore), median(buildAfter))
	}
}

func TestQueueCrunchVisible(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 500; o.Days = 30; o.Projects = 2 })
	cr := s.Truth().QueueCrunch
	start, _ := time.Parse(time.RFC3339, cr.Start)
	end, _ := time.Parse(time.RFC3339, cr.End)
	var in, out, inRun, outRun []float64
	for _, p := range s.Stats().Projects {
		for _, b := range allBuilds(t, s, p.Slug) {
			uq, err1 := time.Parse(time.RFC3339, str(b["usage_queued_at"]))
			q, err2 := time.Parse(time.RFC3339, str(b["queued_at"]))
			st, err3 := time.Parse(time.RFC3339, str(b["start_time"]))
			if err1 != nil || err2 != nil || err3 != nil {
				continue
			}
			if !uq.Before(start) && uq.Before(end) {
				in, inRun = append(in, q.Sub(uq).Seconds()), append(inRun, st.Sub(q).Seconds())
			} else {
				out, outRun = append(out, q.Sub(uq).Seconds()), append(outRun, st.Sub(q).Seconds())
			}
		}
	}
	if len(in) < 10 {
		t.Fatalf("only %d builds in the crunch window", len(in))
	}
	if r := p95(in) / p95(out); r < 5 {
		t.Errorf("usage queue p95 in crunch is %.1f× normal, want ≥ 5×", r)
	}
	if r := p95(inRun) / p95(outRun); r < 5 {
		t.Errorf("run queue p95 in crunch is %.1f× normal, want ≥ 5×", r)
	}
}

func TestTruthFile(t *testing.T) {
	s := smallServer(t)
	b, err := json.Marshal(s.Truth())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "truth.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"flaky_tests", "flaky_jobs", "regression", "queue_crunch"} {
		if generic[k] == nil {
			t.Errorf("truth file lacks %q", k)
		}
	}
	reg := generic["regression"].(map[string]any)
	for _, k := range []string{"project_slug", "job_name", "step_name", "date", "factor"} {
		if reg[k] == nil {
			t.Errorf("regression lacks %q", k)
		}
	}
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }
func p95(xs []float64) float64    { return quantile(xs, 0.95) }

func quantile(xs []float64, q float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c[int(q*float64(len(c)-1))]
}
