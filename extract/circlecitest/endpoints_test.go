package circlecitest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReadEndpoints(t *testing.T) {
	s := smallServer(t)
	me := getJSON(t, s, "/me").(map[string]any)
	if me["login"] != "asmith" {
		t.Errorf("/me login = %v", me["login"])
	}
	projects := list(t, s, "/projects")
	if len(projects) != 3 {
		t.Fatalf("/projects: %d projects, want 3", len(projects))
	}
	var oss, bb int
	for _, p := range projects {
		if p["oss"] == true {
			oss++
		}
		if p["vcs_type"] == "bitbucket" {
			bb++
		}
		if br, _ := p["branches"].(map[string]any); br[p["default_branch"].(string)] == nil {
			t.Errorf("%v: no branch summary for the default branch", p["reponame"])
		}
	}
	if oss != 1 || bb != 1 {
		t.Errorf("/projects: %d F/OSS and %d bitbucket projects, want 1 and 1", oss, bb)
	}
	recent := list(t, s, "/recent-builds?limit=50")
	if len(recent) != 50 {
		t.Fatalf("/recent-builds: %d builds, want 50", len(recent))
	}
	repos := map[any]bool{}
	for _, b := range recent {
		repos[b["reponame"]] = true
	}
	if len(repos) != 3 {
		t.Errorf("/recent-builds spans %d projects, want 3", len(repos))
	}
	st := s.Stats()
	for _, p := range st.Projects {
		var withTests, withArtifacts *BuildStats
		for i := range p.Builds {
			b := &p.Builds[i]
			if b.Tests > 0 && withTests == nil {
				withTests = b
			}
			if b.Artifacts > 1 && withArtifacts == nil {
				withArtifacts = b
			}
		}
		if withTests == nil || withArtifacts == nil {
			t.Fatalf("%s: no build with tests or artifacts", p.Slug)
		}
		base := "/project/" + p.Slug + "/"
		d := getJSON(t, s, base+strconv.Itoa(withTests.BuildNum)).(map[string]any)
		steps, _ := d["steps"].([]any)
		if len(steps) != withTests.Steps || num(d["build_num"]) != withTests.BuildNum {
			t.Errorf("%s/%d: %d steps, want %d", p.Slug, withTests.BuildNum, len(steps), withTests.Steps)
		}
		tr := getJSON(t, s, base+strconv.Itoa(withTests.BuildNum)+"/tests").(map[string]any)
		if tests, _ := tr["tests"].([]any); len(tests) != withTests.Tests {
			t.Errorf("%s/%d: %d tests, want %d", p.Slug, withTests.BuildNum, len(tests), withTests.Tests)
		}
		arts := getJSON(t, s, base+strconv.Itoa(withArtifacts.BuildNum)+"/artifacts").([]any)
		if len(arts) != withArtifacts.Artifacts {
			t.Errorf("%s/%d: %d artifacts, want %d", p.Slug, withArtifacts.BuildNum, len(arts), withArtifacts.Artifacts)
		}
		if code, _, _ := do(t, s, "GET", base+"99999", ""); code != http.StatusNotFound {
			t.Errorf("unknown build: status %d, want 404", code)
		}
	}
	if arts := getJSON(t, s, "/project/github/acme/api/latest/artifacts?branch=main&filter=successful").([]any); len(arts) == 0 {
		t.Error("latest/artifacts on main: none")
	}
	if code, _, _ := do(t, s, "GET", "/project/github/acme/nope", ""); code != http.StatusNotFound {
		t.Errorf("unknown project: status %d, want 404", code)
	}
}

func TestTreeBranch(t *testing.T) {
	s := smallServer(t)
	var feature string
	for _, b := range s.Stats().Projects[0].Builds {
		if b.Branch != "main" {
			feature = b.Branch
			break
		}
	}
	builds := list(t, s, "/project/github/acme/api/tree/"+url.PathEscape(feature)+"?limit=100")
	if len(builds) == 0 {
		t.Fatalf("no builds on %s", feature)
	}
	for _, b := range builds {
		if b["branch"] != feature {
			t.Fatalf("tree/%s returned a build on %v", feature, b["branch"])
		}
	}
	// An empty branch is not "every branch".
	for _, method := range []string{"GET", "POST"} {
		if code, _, b := do(t, s, method, "/project/github/acme/api/tree/", ""); code != http.StatusNotFound {
			t.Errorf("%s tree/ (empty branch): status %d, want 404: %.80s", method, code, b)
		}
	}
}

func TestWritesShowInReads(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	top := list(t, s, base+"?limit=1")[0]
	total := num(top["build_num"])
	if total != 60 {
		t.Fatalf("newest build_num = %d, want 60 (BuildsPerProject)", total)
	}
	// retry: a new build with retry_of, why "retry", same revision, listed first.
	orig := getJSON(t, s, base+"/10").(map[string]any)
	code, _, b := do(t, s, "POST", base+"/10/retry", "")
	if code != http.StatusOK {
		t.Fatalf("retry: %d %s", code, b)
	}
	var rb map[string]any
	_ = json.Unmarshal(b, &rb)
	if num(rb["build_num"]) != total+1 || num(rb["retry_of"]) != 10 || rb["why"] != "retry" || rb["vcs_revision"] != orig["vcs_revision"] {
		t.Fatalf("retry build: num %v retry_of %v why %v rev %v", rb["build_num"], rb["retry_of"], rb["why"], rb["vcs_revision"])
	}
	if got := num(list(t, s, base+"?limit=1")[0]["build_num"]); got != total+1 {
		t.Errorf("list after retry starts at %d, want %d", got, total+1)
	}
	after := getJSON(t, s, base+"/10").(map[string]any)
	if rs, _ := after["retries"].([]any); len(rs) == 0 || num(rs[len(rs)-1]) != total+1 {
		t.Errorf("original's retries = %v, want to end with %d", after["retries"], total+1)
	}
	// the retry finishes once the clock moves on
	s.Advance(time.Hour)
	if d := getJSON(t, s, base+"/"+strconv.Itoa(total+1)).(map[string]any); d["lifecycle"] != "finished" {
		t.Errorf("retry after an hour: lifecycle %v", d["lifecycle"])
	}
	// trigger on a branch, then cancel it while it waits
	code, _, b = do(t, s, "POST", base+"/tree/"+url.PathEscape("feature/new-thing"), "")
	if code != http.StatusCreated {
		t.Fatalf("trigger: %d %s", code, b)
	}
	var tb map[string]any
	_ = json.Unmarshal(b, &tb)
	n := strconv.Itoa(num(tb["build_num"]))
	if tb["branch"] != "feature/new-thing" || tb["why"] != "api" || tb["lifecycle"] == "finished" {
		t.Fatalf("triggered build: %v %v %v", tb["branch"], tb["why"], tb["lifecycle"])
	}
	if code, _, _ := do(t, s, "POST", base+"/"+n+"/cancel", ""); code != http.StatusOK {
		t.Fatalf("cancel: %d", code)
	}
	s.Advance(time.Hour)
	if d := getJSON(t, s, base+"/"+n).(map[string]any); d["outcome"] != "canceled" || d["canceled"] != true {
		t.Errorf("canceled build: outcome %v canceled %v", d["outcome"], d["canceled"])
	}
	if bs := list(t, s, base+"/tree/"+url.PathEscape("feature/new-thing")); len(bs) != 1 {
		t.Errorf("tree of the triggered branch: %d builds, want 1", len(bs))
	}
	// ssh-users
	if code, _, _ := do(t, s, "POST", base+"/5/ssh-users", ""); code != http.StatusOK {
		t.Fatalf("ssh-users: %d", code)
	}
	if d := getJSON(t, s, base+"/5").(map[string]any); len(d["ssh_users"].([]any)) != 1 {
		t.Errorf("ssh_users after POST: %v", d["ssh_users"])
	}
}

func TestSettingsWrites(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	keys := list(t, s, base+"/checkout-key")
	if len(keys) != 1 {
		t.Fatalf("%d checkout keys, want 1", len(keys))
	}
	code, _, b := do(t, s, "POST", base+"/checkout-key", `{"type":"github-user-key"}`)
	if code != http.StatusCreated {
		t.Fatalf("create key: %d %s", code, b)
	}
	var k map[string]any
	_ = json.Unmarshal(b, &k)
	fp := k["fingerprint"].(string)
	if got := getJSON(t, s, base+"/checkout-key/"+fp).(map[string]any); got["type"] != "github-user-key" {
		t.Errorf("get key: %v", got)
	}
	if len(list(t, s, base+"/checkout-key")) != 2 {
		t.Error("created key not listed")
	}
	if code, _, _ := do(t, s, "DELETE", base+"/checkout-key/"+fp, ""); code != http.StatusOK {
		t.Errorf("delete key: %d", code)
	}
	if code, _, _ := do(t, s, "GET", base+"/checkout-key/"+fp, ""); code != http.StatusNotFound {
		t.Errorf("deleted key: status %d, want 404", code)
	}
	if code, _, _ := do(t, s, "POST", base+"/checkout-key", `{"type":"nope"}`); code != http.StatusBadRequest {
		t.Errorf("bad key type: status %d, want 400", code)
	}
	for _, c := range []struct{ method, path, body string }{
		{"DELETE", base + "/build-cache", ""},
		{"POST", base + "/ssh-key", `{"hostname":"example.com","private_key":"-----BEGIN RSA PRIVATE KEY-----"}`},
		{"POST", "/user/ssh-key", `{"label":"laptop"}`},
		{"POST", "/user/heroku-key", `{"apikey":"abcdef123456"}`},
		{"POST", base + "/follow", ""},
	} {
		if code, _, b := do(t, s, c.method, c.path, c.body); code != http.StatusOK {
			t.Errorf("%s %s: %d %s", c.method, c.path, code, b)
		}
	}
	if me := getJSON(t, s, "/me").(map[string]any); me["heroku_api_key"] != "xxxxxxxx3456" {
		t.Errorf("heroku key not shown in /me: %v", me["heroku_api_key"])
	}
	if code, _, b := do(t, s, "POST", base+"/unfollow", ""); code != http.StatusOK || string(b) != `{"followed":false}` {
		t.Fatalf("unfollow: %d %s", code, b)
	}
	listed := func() map[any]map[string]any {
		out := map[any]map[string]any{}
		for _, p := range list(t, s, "/projects") {
			out[p["reponame"]] = p
		}
		return out
	}
	// The real /projects lists only followed projects, each with "followed": true.
	if ps := listed(); ps["api"] != nil || len(ps) != 2 || ps["web"]["followed"] != true {
		t.Errorf("/projects after unfollow: %v", ps)
	}
	for _, b := range list(t, s, "/recent-builds?limit=100") {
		if b["reponame"] == "api" {
			t.Fatal("recent-builds lists an unfollowed project")
		}
	}
	if code, _, b := do(t, s, "POST", base+"/follow", ""); code != http.StatusOK || !strings.HasPrefix(string(b), `{"followed":true,`) {
		t.Fatalf("follow: %d %s", code, b)
	}
	if p := listed()["api"]; p == nil || p["followed"] != true {
		t.Errorf("/projects after follow: api = %v", p)
	}
}

func TestRetryOfBrokenCommitFailsAgain(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 200; o.Projects = 1 })
	byRev := map[string][]BuildStats{}
	for _, b := range s.Stats().Projects[0].Builds {
		if b.JobName == "test" && b.Lifecycle == "finished" {
			byRev[b.VCSRevision] = append(byRev[b.VCSRevision], b)
		}
	}
	var broken, fine int
	for _, runs := range byRev {
		allFailed := len(runs) == 2 // a broken commit runs twice; flaky failures get three tries
		for _, r := range runs {
			allFailed = allFailed && r.Outcome == "failed"
		}
		if allFailed && broken == 0 {
			broken = runs[0].BuildNum
		}
		if len(runs) == 1 && runs[0].Outcome == "success" && fine == 0 {
			fine = runs[0].BuildNum
		}
	}
	if broken == 0 || fine == 0 {
		t.Fatal("no broken commit or no clean test run in 200 builds")
	}
	var nums []int
	for _, n := range []int{broken, fine} {
		code, _, b := do(t, s, "POST", "/project/github/acme/api/"+strconv.Itoa(n)+"/retry", "")
		var m map[string]any
		if code != http.StatusOK || json.Unmarshal(b, &m) != nil {
			t.Fatalf("retry %d: %d", n, code)
		}
		nums = append(nums, num(m["build_num"]))
	}
	s.Advance(2 * time.Hour)
	want := []string{"failed", "success"}
	for i, n := range nums {
		d := getJSON(t, s, "/project/github/acme/api/"+strconv.Itoa(n)).(map[string]any)
		if d["outcome"] != want[i] {
			t.Errorf("retry %d of build %d: outcome %v, want %s", n, []int{broken, fine}[i], d["outcome"], want[i])
		}
	}
}

// TestPreviousSuccessfulBuild: previous_successful_build is the latest earlier build on the same
// branch that succeeded, not only the immediately previous build when that one succeeded.
func TestPreviousSuccessfulBuild(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 150 })
	p := s.Stats().Projects[0]
	byNum := map[int]BuildStats{}
	for _, b := range p.Builds {
		byNum[b.BuildNum] = b
	}
	want := func(n int) int {
		br := byNum[n].Branch
		for k := n - 1; k >= 1; k-- {
			if pb := byNum[k]; pb.Branch == br && pb.Outcome == "success" {
				return k
			}
		}
		return 0
	}
	skipped := 0
	for off := 0; off < len(p.Builds); off += 100 {
		for _, b := range list(t, s, "/project/"+p.Slug+"?limit=100&offset="+strconv.Itoa(off)) {
			n := num(b["build_num"])
			got := 0
			if psb, ok := b["previous_successful_build"].(map[string]any); ok {
				got = num(psb["build_num"])
				if psb["status"] != "success" && psb["status"] != "fixed" {
					t.Errorf("build %d: previous_successful_build status %v", n, psb["status"])
				}
			}
			if got != want(n) {
				t.Errorf("build %d: previous_successful_build %d, want %d", n, got, want(n))
			}
			if prev, _ := b["previous"].(map[string]any); got != 0 && prev != nil && num(prev["build_num"]) != got {
				skipped++ // the previous build failed or is running; an older one succeeded
			}
		}
	}
	if skipped == 0 {
		t.Error("no build whose previous_successful_build is older than its previous build")
	}
}
