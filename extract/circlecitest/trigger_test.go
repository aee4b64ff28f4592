package circlecitest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func post(t *testing.T, s *Server, path, body string, want int) map[string]any {
	t.Helper()
	code, _, b := do(t, s, "POST", path, body)
	if code != want {
		t.Fatalf("POST %s: status %d, want %d: %s", path, code, want, b)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// TestTriggerParameters: revision, tag, parallel and build_parameters of the trigger endpoints
// show in the new build and in later reads.
func TestTriggerParameters(t *testing.T) {
	s := smallServer(t)
	const rev = "0123456789abcdef0123456789abcdef01234567"
	legacy := "/project/bitbucket/acme/legacy"
	b := post(t, s, legacy+"/tree/master", `{"parallel":3,"revision":"`+rev+`","build_parameters":{"CIRCLE_JOB":"nightly","RUN_EXTRA_TESTS":"true"}}`, http.StatusCreated)
	n := strconv.Itoa(num(b["build_num"]))
	bp, _ := b["build_parameters"].(map[string]any)
	if num(b["parallel"]) != 3 || b["vcs_revision"] != rev || bp["CIRCLE_JOB"] != "nightly" || bp["RUN_EXTRA_TESTS"] != "true" {
		t.Fatalf("triggered 1.0 build: parallel %v revision %v build_parameters %v", b["parallel"], b["vcs_revision"], b["build_parameters"])
	}
	s.Advance(2 * time.Hour)
	d := getJSON(t, s, legacy+"/"+n).(map[string]any)
	if d["lifecycle"] != "finished" || num(d["parallel"]) != 3 {
		t.Fatalf("triggered build after 2h: lifecycle %v parallel %v", d["lifecycle"], d["parallel"])
	}
	for _, st := range d["steps"].([]any) {
		if acts := st.(map[string]any)["actions"].([]any); len(acts) != 3 {
			t.Errorf("step %v: %d actions, want 3 (one per container)", st.(map[string]any)["name"], len(acts))
		}
	}
	// a retry keeps the parameters
	r := post(t, s, legacy+"/"+n+"/retry", "", http.StatusOK)
	if rbp, _ := r["build_parameters"].(map[string]any); num(r["parallel"]) != 3 || rbp["CIRCLE_JOB"] != "nightly" {
		t.Errorf("retry of a triggered build: parallel %v build_parameters %v", r["parallel"], r["build_parameters"])
	}

	// 2.0: CIRCLE_JOB picks the job; parallel is ignored there (docs).
	api := "/project/github/acme/api"
	b = post(t, s, api+"/tree/main", `{"parallel":3,"build_parameters":{"CIRCLE_JOB":"lint"}}`, http.StatusCreated)
	s.Advance(time.Hour)
	d = getJSON(t, s, api+"/"+strconv.Itoa(num(b["build_num"]))).(map[string]any)
	var names []string
	for _, st := range d["steps"].([]any) {
		names = append(names, st.(map[string]any)["name"].(string))
	}
	if num(d["parallel"]) != 1 || d["build_parameters"].(map[string]any)["CIRCLE_JOB"] != "lint" || names[len(names)-1] != "Lint" {
		t.Errorf("2.0 CIRCLE_JOB=lint: parallel %v build_parameters %v steps %v", d["parallel"], d["build_parameters"], names)
	}

	// POST /project/… triggers the default branch; a tag shows as vcs_tag.
	b = post(t, s, api, `{"tag":"v1.2.0"}`, http.StatusCreated)
	if b["branch"] != "main" || b["vcs_tag"] != "v1.2.0" || b["why"] != "api" {
		t.Errorf("trigger on the default branch: branch %v vcs_tag %v why %v", b["branch"], b["vcs_tag"], b["why"])
	}
	if top := list(t, s, api+"?limit=1")[0]; num(top["build_num"]) != num(b["build_num"]) {
		t.Errorf("list starts at %v, want the triggered %v", top["build_num"], b["build_num"])
	}
	for _, body := range []string{`{"tag":"v1","revision":"` + rev + `"}`, `{"parallel":"many"}`, `{"parallel":0}`} {
		post(t, s, api, body, http.StatusBadRequest)
	}
}

// TestFollowFirstBuild: following a project that was not followed starts its first build and
// returns it; following it again returns first_build null.
func TestFollowFirstBuild(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	total := num(list(t, s, base+"?limit=1")[0]["build_num"])
	post(t, s, base+"/unfollow", "", http.StatusOK)
	m := post(t, s, base+"/follow", "", http.StatusOK)
	fb, ok := m["first_build"].(map[string]any)
	if m["followed"] != true || !ok || fb["why"] != "first-build" || fb["branch"] != "main" || num(fb["build_num"]) != total+1 {
		t.Fatalf("follow after unfollow: %v", m)
	}
	if d := getJSON(t, s, base+"/"+strconv.Itoa(total+1)).(map[string]any); d["why"] != "first-build" {
		t.Errorf("first build not readable: why %v", d["why"])
	}
	if m := post(t, s, base+"/follow", "", http.StatusOK); m["first_build"] != nil {
		t.Errorf("follow of a followed project: first_build %v, want null", m["first_build"])
	}
}
