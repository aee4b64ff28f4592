package circlecitest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// body reads a write's parameters from a JSON body or a form/query, as the real API accepts both.
func body(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok { // build_parameters: {"NAME": value}
				for sk, sv := range sub {
					if s, ok := scalar(sv); ok {
						out[k+"."+sk] = s
					}
				}
			} else if s, ok := scalar(v); ok {
				out[k] = s
			}
		}
	} else if vals, err := url.ParseQuery(string(raw)); err == nil {
		for k, v := range vals {
			if len(v) > 0 {
				out[k] = v[0]
			}
		}
	}
	return out
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// parseTrigger reads revision, tag, parallel and build_parameters as the trigger endpoints take them.
func parseTrigger(p map[string]string, branch string) (trigger, string) {
	tr := trigger{branch: branch, revision: p["revision"], tag: p["tag"]}
	if tr.revision != "" && tr.tag != "" {
		return tr, "revision and tag cannot be used together"
	}
	if s := p["parallel"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return tr, "parallel must be an integer between 1 and 100"
		}
		tr.parallel = n
	}
	for k, v := range p {
		if name, ok := strings.CutPrefix(k, "build_parameters."); ok {
			if tr.params == nil {
				tr.params = map[string]string{}
			}
			tr.params[name] = v
		}
	}
	return tr, ""
}

// trigger is POST /project/…/tree/:branch, and POST /project/… for the default branch.
func (hd *Handler) trigger(rw http.ResponseWriter, r *http.Request, pi int) {
	branch := r.PathValue("branch")
	if branch == "" {
		branch = hd.w.gen.projects[pi].defaultBranch
	}
	tr, msg := parseTrigger(body(r), branch)
	if msg != "" {
		badRequest(rw, r, msg)
		return
	}
	b := hd.w.triggerBuild(pi, tr)
	writeJSON(rw, r, http.StatusCreated, hd.w.summary(b, hd.w.timeline(b, hd.w.now), false))
}

func (hd *Handler) retry(rw http.ResponseWriter, r *http.Request, pi int) {
	orig, ok := hd.buildFromPath(rw, r, pi)
	if !ok {
		return
	}
	b, _ := hd.w.retryBuild(pi, orig.num)
	writeJSON(rw, r, http.StatusOK, hd.w.summary(b, hd.w.timeline(b, hd.w.now), false))
}

func (hd *Handler) cancel(rw http.ResponseWriter, r *http.Request, pi int) {
	b, ok := hd.buildFromPath(rw, r, pi)
	if !ok {
		return
	}
	if tl := hd.w.timeline(b, hd.w.now); !tl.finished {
		hd.w.canceled[pi][b.num] = hd.w.now
		hd.w.forget()
		b.cancelAt = hd.w.now
	}
	writeJSON(rw, r, http.StatusOK, hd.w.summary(b, hd.w.timeline(b, hd.w.now), false))
}

func (hd *Handler) sshUsers(rw http.ResponseWriter, r *http.Request, pi int) {
	b, ok := hd.buildFromPath(rw, r, pi)
	if !ok {
		return
	}
	hd.w.sshUsers[pi][b.num] = append(hd.w.sshUsers[pi][b.num], "asmith")
	b.sshUsers = hd.w.sshUsers[pi][b.num]
	writeJSON(rw, r, http.StatusOK, hd.w.summary(b, hd.w.timeline(b, hd.w.now), false))
}

func (hd *Handler) follow(on bool) handlerFunc {
	return func(rw http.ResponseWriter, r *http.Request, pi int) {
		was := hd.w.following[pi]
		hd.w.following[pi] = on
		if !on {
			writeJSON(rw, r, http.StatusOK, obj{{"followed", false}})
			return
		}
		// Following a project starts its first build (why "first-build", docs); following one
		// already followed starts nothing (first_build null, as a 2016 capture shows).
		var first any
		if !was {
			b := hd.w.triggerBuild(pi, trigger{branch: hd.w.gen.projects[pi].defaultBranch, why: "first-build", user: true})
			first = hd.w.summary(b, hd.w.timeline(b, hd.w.now), false)
		}
		writeJSON(rw, r, http.StatusOK, obj{{"followed", true}, {"first_build", first}})
	}
}

// projectSSHKey is POST …/ssh-key: the key shows in the project's ssh_keys on /projects.
func (hd *Handler) projectSSHKey(rw http.ResponseWriter, r *http.Request, pi int) {
	p := body(r)
	if p["hostname"] == "" || p["private_key"] == "" {
		badRequest(rw, r, "hostname and private_key are required")
		return
	}
	w := hd.w
	fp := fingerprint(w.gen.opts.Seed, p["private_key"])
	k := hostKey{Hostname: p["hostname"], Fingerprint: fp,
		PublicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + hexID(w.gen.opts.Seed, 64, strHash(p["private_key"]), 34)}
	w.sshKeys[pi] = append(slices.DeleteFunc(w.sshKeys[pi], func(o hostKey) bool { return o.Hostname == k.Hostname && o.Fingerprint == fp }), k)
	rw.WriteHeader(http.StatusOK)
}

// deleteSSHKey is DELETE …/ssh-key with {"fingerprint", "hostname"}.
func (hd *Handler) deleteSSHKey(rw http.ResponseWriter, r *http.Request, pi int) {
	p := body(r)
	if p["fingerprint"] == "" {
		badRequest(rw, r, "fingerprint is required")
		return
	}
	hd.w.sshKeys[pi] = slices.DeleteFunc(hd.w.sshKeys[pi], func(k hostKey) bool {
		return k.Fingerprint == p["fingerprint"] && (p["hostname"] == "" || k.Hostname == p["hostname"])
	})
	rw.WriteHeader(http.StatusOK)
}

// listEnvvars is GET …/envvar: names with masked values, as the real API shows them.
func (hd *Handler) listEnvvars(rw http.ResponseWriter, r *http.Request, pi int) {
	vars := hd.w.envvars[pi]
	names := slices.Sorted(maps.Keys(vars))
	out := make([]obj, 0, len(names))
	for _, n := range names {
		out = append(out, obj{{"name", n}, {"value", masked(vars[n])}})
	}
	writeJSON(rw, r, http.StatusOK, out)
}

func (hd *Handler) addEnvvar(rw http.ResponseWriter, r *http.Request, pi int) {
	p := body(r)
	name := p["name"]
	if name == "" {
		badRequest(rw, r, "name is required")
		return
	}
	hd.w.envvars[pi][name] = p["value"]
	rw.Header().Set("Location", api+"/project/"+hd.w.gen.projects[pi].slug+"/envvar/"+url.PathEscape(name))
	writeJSON(rw, r, http.StatusCreated, obj{{"name", name}, {"value", masked(p["value"])}})
}

func (hd *Handler) getEnvvar(rw http.ResponseWriter, r *http.Request, pi int) {
	name := r.PathValue("name")
	v, ok := hd.w.envvars[pi][name]
	if !ok {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "env var not found"}})
		return
	}
	writeJSON(rw, r, http.StatusOK, obj{{"name", name}, {"value", masked(v)}})
}

func (hd *Handler) deleteEnvvar(rw http.ResponseWriter, r *http.Request, pi int) {
	name := r.PathValue("name")
	if _, ok := hd.w.envvars[pi][name]; !ok {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "env var not found"}})
		return
	}
	delete(hd.w.envvars[pi], name)
	writeJSON(rw, r, http.StatusOK, obj{{"message", "ok"}})
}

// sshRetry is POST …/:build_num/ssh: a retry with SSH enabled for the signed-in user.
func (hd *Handler) sshRetry(rw http.ResponseWriter, r *http.Request, pi int) {
	orig, ok := hd.buildFromPath(rw, r, pi)
	if !ok {
		return
	}
	b, _ := hd.w.retryBuild(pi, orig.num)
	b.ssh = true
	hd.w.sshUsers[pi][b.num] = []string{"asmith"}
	b.sshUsers = hd.w.sshUsers[pi][b.num]
	writeJSON(rw, r, http.StatusOK, hd.w.summary(b, hd.w.timeline(b, hd.w.now), false))
}

// pipelineBuild is POST …/build (preview): a workflow run on a branch, revision or tag.
func (hd *Handler) pipelineBuild(rw http.ResponseWriter, r *http.Request, pi int) {
	p := body(r)
	if p["tag"] != "" && (p["branch"] != "" || p["revision"] != "") {
		badRequest(rw, r, "tag cannot be used with branch or revision")
		return
	}
	branch := orDefault(p["branch"], hd.w.gen.projects[pi].defaultBranch)
	hd.w.triggerBuild(pi, trigger{branch: branch, revision: p["revision"], tag: p["tag"], workflow: true})
	writeJSON(rw, r, http.StatusOK, obj{{"status", 200}, {"body", "Build created"}})
}

func (hd *Handler) listKeys(rw http.ResponseWriter, r *http.Request, pi int) {
	out := []obj{}
	for _, k := range hd.w.keys[pi] {
		out = append(out, k.json())
	}
	writeJSON(rw, r, http.StatusOK, out)
}

func (hd *Handler) createKey(rw http.ResponseWriter, r *http.Request, pi int) {
	typ := body(r)["type"]
	if typ != "deploy-key" && typ != "github-user-key" {
		badRequest(rw, r, "type must be deploy-key or github-user-key")
		return
	}
	w := hd.w
	for i := range w.keys[pi] {
		w.keys[pi][i].Preferred = false
	}
	k := newCheckoutKey(w.gen.opts.Seed, pi, int64(len(w.keys[pi])+1)+w.now.UnixNano(), typ, w.now)
	w.keys[pi] = append(w.keys[pi], k)
	writeJSON(rw, r, http.StatusCreated, k.json())
}

func (hd *Handler) findKey(pi int, fp string) int {
	for i, k := range hd.w.keys[pi] {
		if k.Fingerprint == fp {
			return i
		}
	}
	return -1
}

func (hd *Handler) getKey(rw http.ResponseWriter, r *http.Request, pi int) {
	i := hd.findKey(pi, r.PathValue("fp"))
	if i < 0 {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "checkout key not found"}})
		return
	}
	writeJSON(rw, r, http.StatusOK, hd.w.keys[pi][i].json())
}

func (hd *Handler) deleteKey(rw http.ResponseWriter, r *http.Request, pi int) {
	i := hd.findKey(pi, r.PathValue("fp"))
	if i < 0 {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "checkout key not found"}})
		return
	}
	hd.w.keys[pi] = append(hd.w.keys[pi][:i:i], hd.w.keys[pi][i+1:]...)
	writeJSON(rw, r, http.StatusOK, obj{{"message", "ok"}})
}

// buildCache is DELETE …/build-cache: the project's next new build restores nothing
// (no_dependency_cache: true, dependencies installed from scratch).
func (hd *Handler) buildCache(rw http.ResponseWriter, r *http.Request, pi int) {
	hd.w.cacheGone[pi] = true
	writeJSON(rw, r, http.StatusOK, obj{{"status", "build caches deleted"}})
}

// userKey is POST /user/ssh-key: /me shows the new key's user_key_fingerprint.
func (hd *Handler) userKey(rw http.ResponseWriter, r *http.Request, _ int) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	hd.w.userKeyFP = fingerprint(hd.w.gen.opts.Seed, "user-key:"+hd.w.now.String()+string(raw))
	rw.WriteHeader(http.StatusOK)
}

func (hd *Handler) herokuKey(rw http.ResponseWriter, r *http.Request, _ int) {
	k := body(r)["apikey"]
	if k == "" {
		badRequest(rw, r, "apikey is required")
		return
	}
	hd.w.herokuKey = k
	rw.WriteHeader(http.StatusOK)
}
