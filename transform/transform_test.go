package transform_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/transform"
)

func TestBuildRows(t *testing.T) {
	cases := []struct {
		file string
		slug string // Input.ProjectSlug; "" = derive
		want map[string]any
	}{
		{"build_2_0_workflow_failed.json", "github/acme/api", map[string]any{
			"project_slug": "github/acme/api", "build_num": int64(1205), "vcs_type": "github",
			"username": "acme", "reponame": "api", "branch": "main", "vcs_tag": nil, "why": "retry",
			"status": "failed", "outcome": "failed", "lifecycle": "finished", "platform": "2.0",
			"parallel": int64(2), "job_name": "test", "workflow_id": "a1b2c3d4-0000-4000-8000-000000000001",
			"workflow_name": "build-and-test", "workflow_job_id": "6f5b0a4e-9d1c-4c1e-9f0e-1a2b3c4d5e6f",
			"resource_class": "medium", "executor": "docker", "retry_of": int64(1204), "is_retry": true,
			"user_login": "jdoe", "fail_reason": "Run tests", "canceled": false, "timedout": false,
			"infrastructure_fail": false, "has_artifacts": true,
			"usage_queued_at": ts("2026-03-01T20:00:00Z"), "queued_at": ts("2026-03-01T20:00:04Z"),
			"start_time": ts("2026-03-01T20:00:10.25Z"), "stop_time": ts("2026-03-01T20:03:30.5Z"),
			"build_time_millis": int64(200000), "usage_queue_millis": int64(4000),
			"run_queue_millis": int64(6250), "queue_millis": int64(10250), "extracted_at": now,
		}},
		// 1.0: no platform, no vcs_type (slug given), CIRCLE_JOB, start before queued_at (negative
		// run queue → NULL), parallel as a string.
		{"build_1_0_circle_job.json", "github/acme/legacy", map[string]any{
			"project_slug": "github/acme/legacy", "build_num": int64(140), "vcs_type": nil, "platform": nil,
			"parallel": int64(1), "job_name": "deploy-docs", "workflow_id": nil, "workflow_name": nil,
			"resource_class": nil, "executor": nil, "retry_of": nil, "is_retry": false, "user_login": "oldtimer",
			"fail_reason": nil, "status": "fixed", "usage_queue_millis": int64(30000), "run_queue_millis": nil,
			"queue_millis": int64(20000),
		}},
		// not_run via API: no queue times at all, picard null, reduced user; slug derived (bitbucket).
		{"build_not_run.json", "", map[string]any{
			"project_slug": "bitbucket/acme/web", "job_name": "build", "usage_queued_at": nil, "queued_at": nil,
			"start_time": nil, "usage_queue_millis": nil, "run_queue_millis": nil, "queue_millis": nil,
			"resource_class": nil, "user_login": "none", "fail_reason": nil, "is_retry": false,
			"build_time_millis": int64(0), "outcome": nil,
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := transform.Transform(memory.DefaultAllocator, now, []transform.Input{{ProjectSlug: c.slug, Build: readBuild(t, c.file)}})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			if b.Builds.NumRows() != 1 {
				t.Fatalf("builds rows = %d", b.Builds.NumRows())
			}
			if b.Steps != nil || b.Artifacts != nil || b.Tests != nil {
				t.Fatal("child records built although not fetched")
			}
			for col, want := range c.want {
				if got := val(t, b.Builds, col, 0); !equal(got, want) {
					t.Errorf("%s = %v (%T), want %v (%T)", col, got, got, want, want)
				}
			}
		})
	}
}

func equal(a, b any) bool {
	if ta, ok := a.(interface{ Equal(time.Time) bool }); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}

func TestFailReason(t *testing.T) {
	failedStep := []extract.Step{{Name: extract.String("lint"), Actions: []extract.Action{{Status: extract.String("success")}}},
		{Name: extract.String("unit"), Actions: []extract.Action{{Status: extract.String("success")}, {Timedout: extract.Bool(true)}}}}
	cases := []struct {
		outcome string
		steps   []extract.Step
		want    string
	}{
		{"failed", failedStep, "unit"},
		{"timedout", failedStep, "unit"},
		{"failed", nil, "failed"},
		{"infrastructure_fail", failedStep, "infrastructure_fail"},
		{"canceled", nil, "canceled"},
		{"success", failedStep, ""},
		{"", failedStep, ""},
	}
	for _, c := range cases {
		b := extract.Build{Steps: c.steps}
		if c.outcome != "" {
			b.Outcome = extract.String(c.outcome)
		}
		if got := transform.FailReason(b); got != c.want {
			t.Errorf("FailReason(outcome %q) = %q, want %q", c.outcome, got, c.want)
		}
	}
}

func TestStepRows(t *testing.T) {
	in := []transform.Input{
		{ProjectSlug: "github/acme/api", Build: readBuild(t, "build_2_0_workflow_failed.json"), HaveSteps: true},
		{ProjectSlug: "github/acme/legacy", Build: readBuild(t, "build_1_0_circle_job.json"), HaveSteps: true},
	}
	b, err := transform.Transform(memory.DefaultAllocator, now, in)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	// 2.0: 2+2+1 actions; 1.0: 1 + 1 + 3 actions of which one repeats node 0 (dropped).
	if n := b.Steps.NumRows(); n != 5+4 {
		t.Fatalf("steps rows = %d, want 9", n)
	}
	type key struct {
		slug      string
		idx, node int64
	}
	got := map[key]map[string]any{}
	for i := range int(b.Steps.NumRows()) {
		r := row(t, b.Steps, i)
		k := key{r["project_slug"].(string), r["step_index"].(int64), r["node_index"].(int64)}
		if _, dup := got[k]; dup {
			t.Fatalf("duplicate step key %v", k)
		}
		got[k] = r
	}
	checks := []struct {
		k    key
		col  string
		want any
	}{
		{key{"github/acme/api", 1, 1}, "step_number", int64(103)},
		{key{"github/acme/api", 1, 1}, "failed", true},
		{key{"github/acme/api", 1, 1}, "exit_code", int64(2)},
		{key{"github/acme/api", 1, 1}, "run_time_millis", int64(160000)},
		{key{"github/acme/api", 1, 0}, "failed", nil},
		{key{"github/acme/api", 0, 1}, "start_time", ts("2026-03-01T20:00:10.4Z")},
		{key{"github/acme/api", 2, 0}, "has_output", false},
		{key{"github/acme/legacy", 0, 0}, "type", "infrastructure"},
		{key{"github/acme/legacy", 0, 0}, "end_time", ts("2016-05-10T10:00:21.2Z")},
		{key{"github/acme/legacy", 1, 0}, "run_time_millis", nil}, // negative → NULL; index missing → position 0
		{key{"github/acme/legacy", 2, 0}, "name", "a"},            // the repeat of node 0 is dropped
		{key{"github/acme/legacy", 2, 2}, "name", "b"},            // no index: position among actions
	}
	for _, c := range checks {
		r, ok := got[c.k]
		if !ok {
			t.Errorf("no step row %v", c.k)
			continue
		}
		if !equal(r[c.col], c.want) {
			t.Errorf("%v %s = %v, want %v", c.k, c.col, r[c.col], c.want)
		}
	}
}

func TestTestRows(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes of 2-byte runes
	tests := []extract.TestResult{
		{Classname: extract.String("a"), File: extract.String("b"), Name: extract.String("c"), Result: extract.String("success"), RunTime: extract.OptFloat{V: 0.0125, Valid: true}},
		{Classname: extract.String(""), Name: extract.String("t2"), Result: extract.String("failure"), RunTime: extract.OptFloat{V: -1, Valid: true}, Message: extract.String(long)},
		{Name: extract.String("bad\xffutf8"), Message: extract.String("x\xfey")},
	}
	b, err := transform.Transform(memory.DefaultAllocator, now, []transform.Input{{ProjectSlug: "github/acme/api", Build: readBuild(t, "build_not_run.json"), Tests: tests, HaveTests: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.Tests.NumRows() != 3 {
		t.Fatalf("tests rows = %d", b.Tests.NumRows())
	}
	r0, r1, r2 := row(t, b.Tests, 0), row(t, b.Tests, 1), row(t, b.Tests, 2)
	// Golden: printf 'a\0b\0c' | sha256sum | cut -c1-32
	if r0["test_id"] != "8badde10c760e9b702defb4b5e225de7" || r0["test_index"] != int64(0) || r0["run_time_millis"] != int64(13) || r0["build_num"] != int64(77) {
		t.Errorf("row 0 = %v", r0)
	}
	if r1["test_index"] != int64(1) || r1["run_time_millis"] != nil || r1["file"] != nil || r1["classname"] != "" {
		t.Errorf("row 1 = %v", r1)
	}
	msg := r1["message"].(string)
	if len(msg) > transform.MaxMessageBytes || len(msg) < transform.MaxMessageBytes-1 || !utf8.ValidString(msg) || !strings.HasPrefix(long, msg) {
		t.Errorf("message: %d bytes, valid %v", len(msg), utf8.ValidString(msg))
	}
	if !utf8.ValidString(r2["name"].(string)) || !utf8.ValidString(r2["message"].(string)) {
		t.Errorf("row 2 kept invalid UTF-8: %q %q", r2["name"], r2["message"])
	}
	if transform.TestID("", "", "") != "96a296d224f285c67bee93c30f8a3091" {
		t.Error("TestID of empty parts changed")
	}
	if transform.TestID("a b", "", "c") == transform.TestID("a", "b", "c") {
		t.Error("TestID does not separate its parts")
	}
}

func TestArtifactRows(t *testing.T) {
	as := []extract.Artifact{
		{Path: extract.String("out/report.html"), PrettyPath: extract.String("out/report.html"), NodeIndex: extract.Int(1),
			URL: extract.String("https://output.circle-artifacts.com/output/job/x/artifacts/1/out/report.html?circle-token=SECRET&a=1")},
		{Path: extract.String("/home/ubuntu/legacy/out.txt"), PrettyPath: extract.String("$CIRCLE_ARTIFACTS/out.txt"),
			URL: extract.String("https://x/out.txt?Circle-Token=SECRET")},
		{PrettyPath: extract.String("only/pretty"), NodeIndex: extract.Int(0), URL: extract.String("https://x/p?a=1&circle%2Dtoken=SECRET#frag")},
		{NodeIndex: extract.Int(0)}, // no path at all: cannot be keyed
	}
	b, err := transform.Transform(memory.DefaultAllocator, now, []transform.Input{{ProjectSlug: "github/acme/api", Build: readBuild(t, "build_not_run.json"), Artifacts: as, HaveArtifacts: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.Artifacts.NumRows() != 3 {
		t.Fatalf("artifact rows = %d, want 3", b.Artifacts.NumRows())
	}
	want := []map[string]any{
		{"node_index": int64(1), "path": "out/report.html", "url": "https://output.circle-artifacts.com/output/job/x/artifacts/1/out/report.html?a=1"},
		{"node_index": int64(0), "path": "/home/ubuntu/legacy/out.txt", "pretty_path": "$CIRCLE_ARTIFACTS/out.txt", "url": "https://x/out.txt"},
		{"node_index": int64(0), "path": "only/pretty", "url": "https://x/p?a=1#frag"},
	}
	for i, w := range want {
		r := row(t, b.Artifacts, i)
		for k, v := range w {
			if r[k] != v {
				t.Errorf("artifact %d %s = %v, want %v", i, k, r[k], v)
			}
		}
		if strings.Contains(strings.ToLower(r["url"].(string)), "secret") {
			t.Errorf("artifact %d url keeps the token", i)
		}
	}
}

func TestTransformRejectsMixedAndSkipsUnkeyable(t *testing.T) {
	good := readBuild(t, "build_not_run.json")
	_, err := transform.Transform(memory.DefaultAllocator, now, []transform.Input{{Build: good, HaveTests: true}, {Build: good}})
	if err == nil {
		t.Fatal("mixed inputs accepted")
	}
	noNum := good
	noNum.BuildNum = extract.OptInt{}
	noSlug := extract.Build{BuildNum: extract.Int(5)}
	b, err := transform.Transform(memory.DefaultAllocator, now, []transform.Input{{Build: noNum}, {Build: good}, {Build: noSlug}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.Builds.NumRows() != 1 || len(b.Skipped) != 2 || b.Skipped[0].Index != 0 || b.Skipped[1].Index != 2 {
		t.Fatalf("rows %d skipped %+v", b.Builds.NumRows(), b.Skipped)
	}
	if e, err := transform.Transform(memory.DefaultAllocator, now, nil); err != nil || e.Builds != nil {
		t.Fatalf("empty input: %+v %v", e, err)
	}
}

func TestProjects(t *testing.T) {
	ps := []extract.Project{
		{VCSType: extract.String("github"), Username: extract.String("acme"), Reponame: extract.String("api"), DefaultBranch: extract.String("main"), OSS: extract.Bool(true)},
		{VCSType: extract.String("github"), Username: extract.String("acme")}, // no reponame
	}
	rec, err := transform.Projects(memory.DefaultAllocator, now, ps)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 1 {
		t.Fatalf("rows = %d", rec.NumRows())
	}
	r := row(t, rec, 0)
	if r["project_slug"] != "github/acme/api" || r["default_branch"] != "main" || r["oss"] != true || r["following"] != nil || !equal(r["extracted_at"], now) {
		t.Fatalf("row = %v", r)
	}
}

// TestProjectsFollowed: the real API says `followed`; the column keeps the SPEC name `following`.
func TestProjectsFollowed(t *testing.T) {
	ps := []extract.Project{
		{VCSType: extract.String("github"), Username: extract.String("acme"), Reponame: extract.String("api"), Followed: extract.Bool(true)},
		{VCSType: extract.String("github"), Username: extract.String("acme"), Reponame: extract.String("web"), Following: extract.Bool(false)},
	}
	rec, err := transform.Projects(memory.DefaultAllocator, now, ps)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if r := row(t, rec, 0); r["following"] != true {
		t.Errorf("followed:true gives following = %v, want true", r["following"])
	}
	if r := row(t, rec, 1); r["following"] != false {
		t.Errorf("following:false gives following = %v, want false", r["following"])
	}
}

func TestJobName(t *testing.T) {
	cases := []struct {
		b    extract.Build
		want string
	}{
		{extract.Build{Workflows: &extract.Workflows{JobName: extract.String("lint")}, BuildParameters: map[string]any{"CIRCLE_JOB": "x"}}, "lint"},
		{extract.Build{Workflows: &extract.Workflows{}, BuildParameters: map[string]any{"CIRCLE_JOB": "x"}}, "x"},
		{extract.Build{BuildParameters: map[string]any{"CIRCLE_JOB": 5}}, "build"},
		{extract.Build{}, "build"},
	}
	for i, c := range cases {
		if got := transform.JobName(c.b); got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
}

func TestNoLeaks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b, err := transform.Transform(mem, now, []transform.Input{{ProjectSlug: "github/acme/api", Build: readBuild(t, "build_2_0_workflow_failed.json"),
		Tests: []extract.TestResult{{Name: extract.String("x")}}, HaveSteps: true, HaveArtifacts: true, HaveTests: true}})
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	p, err := transform.Projects(mem, now, []extract.Project{{VCSType: extract.String("github"), Username: extract.String("a"), Reponame: extract.String("b")}})
	if err != nil {
		t.Fatal(err)
	}
	p.Release()
}
