package circlecitest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEnvvars: list, add, get and delete; values are masked on read as the real API masks them.
func TestEnvvars(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api/envvar"
	if vs := list(t, s, base); len(vs) != 0 {
		t.Fatalf("env vars at start: %v", vs)
	}
	code, hdr, b := do(t, s, "POST", base, `{"name":"TESTENV","value":"testvalue"}`)
	if code != http.StatusCreated || string(b) != `{"name":"TESTENV","value":"xxxxalue"}` || !strings.HasSuffix(hdr.Get("Location"), "/envvar/TESTENV") {
		t.Fatalf("add: %d %s (Location %q)", code, b, hdr.Get("Location"))
	}
	post(t, s, base, `{"name":"SHORT","value":"bar"}`, http.StatusCreated)
	post(t, s, base, `{"value":"nameless"}`, http.StatusBadRequest)
	vs := list(t, s, base)
	if len(vs) != 2 || vs[0]["name"] != "SHORT" || vs[0]["value"] != "xxxx" || vs[1]["value"] != "xxxxalue" {
		t.Errorf("list: %v", vs)
	}
	if v := getJSON(t, s, base+"/TESTENV").(map[string]any); v["value"] != "xxxxalue" {
		t.Errorf("get: %v", v)
	}
	if code, _, b := do(t, s, "DELETE", base+"/TESTENV", ""); code != http.StatusOK || string(b) != `{"message":"ok"}` {
		t.Errorf("delete: %d %s", code, b)
	}
	if code, _, _ := do(t, s, "GET", base+"/TESTENV", ""); code != http.StatusNotFound {
		t.Errorf("deleted env var: status %d, want 404", code)
	}
	if code, _, _ := do(t, s, "GET", base, "", noToken); code != http.StatusUnauthorized {
		t.Errorf("env vars without a token: status %d, want 401", code)
	}
}

// TestSSHRetryAndPipelineBuild: POST …/ssh retries with SSH on; POST …/build starts a workflow.
func TestSSHRetryAndPipelineBuild(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	total := num(list(t, s, base+"?limit=1")[0]["build_num"])
	r := post(t, s, base+"/10/ssh", "", http.StatusOK)
	users, _ := r["ssh_users"].([]any)
	if num(r["build_num"]) != total+1 || num(r["retry_of"]) != 10 || r["ssh_disabled"] != false || len(users) != 1 {
		t.Fatalf("ssh retry: num %v retry_of %v ssh_disabled %v ssh_users %v", r["build_num"], r["retry_of"], r["ssh_disabled"], r["ssh_users"])
	}
	if d := getJSON(t, s, base+"/10").(map[string]any); d["ssh_disabled"] != true {
		t.Errorf("original build: ssh_disabled %v", d["ssh_disabled"])
	}
	m := post(t, s, base+"/build", `{"branch":"feature/pipelines"}`, http.StatusOK)
	if num(m["status"]) != 200 || m["body"] != "Build created" {
		t.Errorf("…/build answered %v", m)
	}
	b := list(t, s, base+"/tree/feature%2Fpipelines")
	if len(b) != 1 || b[0]["workflows"] == nil || num(b[0]["build_num"]) != total+2 {
		t.Fatalf("…/build made %v", b)
	}
	post(t, s, base+"/build", `{"tag":"v1","branch":"main"}`, http.StatusBadRequest)
}

// TestKeyWritesShowInReads: project SSH keys show in /projects ssh_keys and go away on DELETE;
// POST /user/ssh-key sets /me's user_key_fingerprint.
func TestKeyWritesShowInReads(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	keysOf := func() []any {
		for _, p := range list(t, s, "/projects") {
			if p["reponame"] == "api" {
				ks, _ := p["ssh_keys"].([]any)
				return ks
			}
		}
		t.Fatal("api not in /projects")
		return nil
	}
	if ks := keysOf(); len(ks) != 0 {
		t.Fatalf("ssh_keys at start: %v", ks)
	}
	post(t, s, base+"/ssh-key", `{"hostname":"deploy.example.com","private_key":"-----BEGIN RSA PRIVATE KEY-----\nabc"}`, http.StatusOK)
	ks := keysOf()
	if len(ks) != 1 || ks[0].(map[string]any)["hostname"] != "deploy.example.com" {
		t.Fatalf("ssh_keys after POST: %v", ks)
	}
	fp := ks[0].(map[string]any)["fingerprint"].(string)
	if code, _, b := do(t, s, "DELETE", base+"/ssh-key", `{"fingerprint":"`+fp+`","hostname":"deploy.example.com"}`); code != http.StatusOK {
		t.Fatalf("delete ssh-key: %d %s", code, b)
	}
	if ks := keysOf(); len(ks) != 0 {
		t.Errorf("ssh_keys after DELETE: %v", ks)
	}
	if me := getJSON(t, s, "/me").(map[string]any); me["user_key_fingerprint"] != nil {
		t.Fatalf("user_key_fingerprint before POST /user/ssh-key: %v", me["user_key_fingerprint"])
	}
	post(t, s, "/user/ssh-key", "", http.StatusOK)
	if me := getJSON(t, s, "/me").(map[string]any); len(str(me["user_key_fingerprint"])) != 47 {
		t.Errorf("user_key_fingerprint after POST /user/ssh-key: %v", me["user_key_fingerprint"])
	}
}

// TestBuildCacheClear: after DELETE …/build-cache the project's next build has no dependency
// cache: no_dependency_cache is true and installing dependencies takes much longer.
func TestBuildCacheClear(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	trig := func() string { return strconv.Itoa(num(post(t, s, base, "", http.StatusCreated)["build_num"])) }
	warm := trig()
	if code, _, b := do(t, s, "DELETE", base+"/build-cache", ""); code != http.StatusOK || !strings.Contains(string(b), "deleted") {
		t.Fatalf("build-cache: %d %s", code, b)
	}
	cold, after := trig(), trig()
	s.Advance(2 * time.Hour)
	install := func(n string) (int, any) {
		d := getJSON(t, s, base+"/"+n).(map[string]any)
		for _, st := range d["steps"].([]any) {
			if st.(map[string]any)["name"] == "Install dependencies" {
				return num(st.(map[string]any)["actions"].([]any)[0].(map[string]any)["run_time_millis"]), d["no_dependency_cache"]
			}
		}
		t.Fatalf("build %s has no Install dependencies step", n)
		return 0, nil
	}
	w, wf := install(warm)
	c, cf := install(cold)
	a, af := install(after)
	if wf != false || cf != true || af != false {
		t.Errorf("no_dependency_cache: before %v, first after clear %v, next %v", wf, cf, af)
	}
	if c < 2*w || c < 2*a {
		t.Errorf("Install dependencies: %d ms with cache, %d ms right after the clear, %d ms next", w, c, a)
	}
}
