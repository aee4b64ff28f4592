package dashboards

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
)

// fixtureNow is the clock of every test: the fixture's history ends just before it.
var fixtureNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Flaky tests the fixture injects: each passes and fails on the same revision (a failed build and
// its passing retry).
var fixtureFlakyTests = []struct{ project, classname, name string }{
	{"github/acme/api", "api.SessionTest", "test_login_times_out"},
	{"github/acme/web", "web.CartTest", "test_checkout_race"},
}

const (
	fixtureProjectAPI = "github/acme/api"
	fixtureProjectWeb = "github/acme/web"
)

// fillFixture writes a small deterministic history into a new DuckDB file: two projects, 35
// days, three jobs, retries on flaky revisions, tests and steps. It returns the file's path
// (closed, so the dashboard can open it read-only).
func fillFixture(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "buildlake.duckdb")
	ctx := context.Background()
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db := store.DB()
	ins := newBatchInserter()
	for _, p := range []string{fixtureProjectAPI, fixtureProjectWeb} {
		parts := strings.Split(p, "/")
		ins.add("projects", "project_slug, vcs_type, username, reponame, default_branch, following", p, parts[0], parts[1], parts[2], "main", true)
	}
	num := map[string]int{}
	for day := 34; day >= 0; day-- {
		for _, p := range []string{fixtureProjectAPI, fixtureProjectWeb} {
			for rev := 0; rev < 3; rev++ {
				branch := "main"
				if rev == 2 {
					branch = "feature/checkout"
				}
				sha := fmt.Sprintf("%s-%02d-%d", p[len("github/acme/"):], day, rev)
				base := fixtureNow.Add(-time.Duration(day)*24*time.Hour - time.Duration(10-3*rev)*time.Hour)
				jobs := []string{"build", "test"}
				if branch == "main" {
					jobs = append(jobs, "deploy")
				}
				for j, job := range jobs {
					// The api "test" job flakes every 4th day on the first revision; web's every 6th.
					flaky := job == "test" && rev == 0 && ((p == fixtureProjectAPI && day%4 == 1) || (p == fixtureProjectWeb && day%6 == 2))
					attempts := 1
					if flaky {
						attempts = 2
					}
					for a := 0; a < attempts; a++ {
						num[p]++
						n := num[p]
						outcome := "success"
						if flaky && a == 0 {
							outcome = "failed"
						}
						usageQueued := base.Add(time.Duration(j*15+a*20) * time.Minute)
						usageQ := time.Duration(5+(day*7+rev*3)%40) * time.Second
						if day < 7 && p == fixtureProjectAPI {
							usageQ += 90 * time.Second // a queue crunch in the last week
						}
						runQ := time.Duration(8+(day*5+j*11)%25) * time.Second
						queued := usageQueued.Add(usageQ)
						start := queued.Add(runQ)
						dur := time.Duration(90+j*120+(day*13+rev*7)%40) * time.Second
						if job == "test" && day < 14 {
							dur += 45 * time.Second // slower in the last two weeks
						}
						stop := start.Add(dur)
						ins.add("builds", "project_slug, build_num, vcs_type, username, reponame, build_url, vcs_revision, branch, status, outcome, lifecycle, job_name, resource_class, is_retry, retry_of, usage_queued_at, queued_at, start_time, stop_time, build_time_millis, usage_queue_millis, run_queue_millis, queue_millis",
							p, n, "github", "acme", p[len("github/acme/"):], fmt.Sprintf("https://circleci.com/gh/%s/%d", p[len("github/"):], n), sha, branch,
							outcome, outcome, "finished", job, "medium", a > 0, nullIf(a == 0, n-1), usageQueued, queued, start, stop,
							dur.Milliseconds(), usageQ.Milliseconds(), runQ.Milliseconds(), (usageQ + runQ).Milliseconds())
						for si, step := range []string{"Spin up environment", "Checkout code", "Restore cache", "Run " + job} {
							ms := []int64{8000, 3000, 12000, dur.Milliseconds() - 23000}[si]
							ins.add("steps", "project_slug, build_num, step_index, node_index, step_number, name, type, status, run_time_millis",
								p, n, si, 0, si, step, "test", "success", ms)
						}
						if job != "test" {
							continue
						}
						for ti, tc := range fixtureTests(p) {
							result := "success"
							if flaky && a == 0 && tc[2] == "flaky" {
								result = "failure"
							}
							ins.add("tests", "project_slug, build_num, test_index, test_id, classname, file, name, result, run_time_millis",
								p, n, ti, tc[0]+"::"+tc[1], tc[0], strings.ReplaceAll(tc[0], ".", "/")+".py", tc[1], result, 1200+ti*100)
						}
					}
				}
			}
		}
	}
	if err := ins.flush(ctx, db); err != nil {
		t.Fatal(err)
	}
	return path
}

// fixtureTests are the tests of a project's "test" job: classname, name, and whether it flakes.
func fixtureTests(project string) [][3]string {
	out := [][3]string{}
	for _, f := range fixtureFlakyTests {
		if f.project == project {
			out = append(out, [3]string{f.classname, f.name, "flaky"})
		}
	}
	prefix := project[len("github/acme/"):]
	for i := 0; i < 4; i++ {
		out = append(out, [3]string{prefix + ".StableTest", fmt.Sprintf("test_case_%d", i), ""})
	}
	return out
}

func nullIf(null bool, v any) any {
	if null {
		return nil
	}
	return v
}
