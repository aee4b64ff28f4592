package circlecitest

import (
	"strconv"
	"testing"
	"time"
)

// TestRealStatusValues: the generator produces the documented statuses that real responses show:
// retried (an auto-retried infrastructure_fail), timedout (counted as failed), no_tests (1.0), and
// the scheduled lifecycle, which later finishes like any other build.
func TestRealStatusValues(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 600; o.Days = 30 })
	seen := map[string]bool{}
	for _, p := range s.Stats().Projects {
		base := "/project/" + p.Slug
		for off := 0; off < len(p.Builds); off += 100 {
			for _, b := range list(t, s, base+"?limit=100&offset="+strconv.Itoa(off)) {
				n := strconv.Itoa(num(b["build_num"]))
				switch b["status"] {
				case "retried":
					seen["retried"] = true
					rs, _ := b["retries"].([]any)
					if b["outcome"] != "infrastructure_fail" || len(rs) == 0 {
						t.Errorf("%s/%s: status retried with outcome %v retries %v", p.Slug, n, b["outcome"], b["retries"])
						continue
					}
					if r := getJSON(t, s, base+"/"+strconv.Itoa(num(rs[0]))).(map[string]any); r["why"] != "auto-retry" || num(r["retry_of"]) != num(b["build_num"]) {
						t.Errorf("%s/%s: its retry has why %v retry_of %v", p.Slug, n, r["why"], r["retry_of"])
					}
				case "timedout":
					seen["timedout"] = true
					if b["outcome"] != "timedout" || b["timedout"] != true || b["failed"] != true {
						t.Errorf("%s/%s: timedout with outcome %v timedout %v failed %v", p.Slug, n, b["outcome"], b["timedout"], b["failed"])
					}
					d := getJSON(t, s, base+"/"+n).(map[string]any)
					var timedAction bool
					for _, st := range d["steps"].([]any) {
						for _, a := range st.(map[string]any)["actions"].([]any) {
							timedAction = timedAction || a.(map[string]any)["timedout"] == true
						}
					}
					if !timedAction {
						t.Errorf("%s/%s: timedout build without a timed-out action", p.Slug, n)
					}
				case "no_tests":
					seen["no_tests"] = true
					tr := getJSON(t, s, base+"/"+n+"/tests").(map[string]any)
					if b["outcome"] != "no_tests" || len(tr["tests"].([]any)) != 0 || b["failed"] == true {
						t.Errorf("%s/%s: no_tests with outcome %v, %d tests, failed %v", p.Slug, n, b["outcome"], len(tr["tests"].([]any)), b["failed"])
					}
				}
			}
		}
	}
	for _, st := range []string{"retried", "timedout", "no_tests"} {
		if !seen[st] {
			t.Errorf("no %s build in 600 builds per project", st)
		}
	}
}

func TestScheduledFinishesAfterAdvance(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 400; o.Days = 1 })
	for step := 0; step < 600; step++ {
		for _, slug := range []string{"github/acme/api", "github/acme/web", "bitbucket/acme/legacy"} {
			for _, b := range list(t, s, "/project/"+slug+"?limit=10&filter=running") {
				if b["lifecycle"] != "scheduled" {
					continue
				}
				_, hasU := b["usage_queued_at"]
				_, hasQ := b["queued_at"]
				if b["status"] != "scheduled" || hasU || hasQ || b["start_time"] != nil {
					t.Fatalf("scheduled build: status %v, usage_queued_at present %v, queued_at present %v, start %v", b["status"], hasU, hasQ, b["start_time"])
				}
				path := "/project/" + slug + "/" + strconv.Itoa(num(b["build_num"]))
				s.Advance(2 * time.Hour)
				d := getJSON(t, s, path).(map[string]any)
				uq, q, st := str(d["usage_queued_at"]), str(d["queued_at"]), str(d["start_time"])
				if d["lifecycle"] != "finished" || uq == "" || !(uq <= q && q <= st) {
					t.Fatalf("scheduled build 2h later: lifecycle %v usage_queued_at %q queued_at %q start %q", d["lifecycle"], uq, q, st)
				}
				return
			}
		}
		s.Advance(time.Minute)
	}
	t.Fatal("no scheduled build seen in 10 simulated hours")
}
