package circlecitest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler serves the simulated API under /api/v1.1/. It is safe for concurrent use.
type Handler struct {
	opts    Options
	mux     *http.ServeMux
	mu      sync.Mutex // guards w
	w       *world
	reqMu   sync.Mutex
	counts  map[string]int64
	faults  *faultState
	limiter *bucket
}

// NewHandler returns the API as an http.Handler, for embedding in another server.
func NewHandler(opts Options) *Handler {
	opts = opts.withDefaults()
	hd := &Handler{opts: opts, w: newWorld(opts), counts: map[string]int64{}, faults: newFaultState(opts)}
	if opts.RateLimit > 0 {
		hd.limiter = newBucket(opts.RateLimit)
	}
	hd.routes()
	return hd
}

// Token is the token the handler accepts.
func (hd *Handler) Token() string { return hd.opts.Token }

// Now is the simulated clock.
func (hd *Handler) Now() time.Time {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	return hd.w.now
}

// Advance moves the simulated clock forward: new builds appear, running builds finish.
func (hd *Handler) Advance(d time.Duration) {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	hd.w.advance(d)
}

// Requests returns request counts by endpoint kind, plus "429" and "fault".
func (hd *Handler) Requests() map[string]int64 {
	hd.reqMu.Lock()
	defer hd.reqMu.Unlock()
	out := make(map[string]int64, len(hd.counts))
	for k, v := range hd.counts {
		out[k] = v
	}
	return out
}

// ResetRequests zeroes the request counts.
func (hd *Handler) ResetRequests() {
	hd.reqMu.Lock()
	defer hd.reqMu.Unlock()
	clear(hd.counts)
}

func (hd *Handler) count(kind string) {
	hd.reqMu.Lock()
	hd.counts[kind]++
	hd.reqMu.Unlock()
}

const api = "/api/v1.1"

func (hd *Handler) routes() {
	m := http.NewServeMux()
	prj := api + "/project/{vcs}/{user}/{repo}"
	m.HandleFunc("GET "+api+"/me", hd.auth("me", false, hd.me))
	m.HandleFunc("GET "+api+"/projects", hd.auth("projects", false, hd.listProjects))
	m.HandleFunc("GET "+api+"/recent-builds", hd.auth("recent", false, hd.recent))
	m.HandleFunc("POST "+api+"/user/ssh-key", hd.auth("write", false, hd.userKey))
	m.HandleFunc("POST "+api+"/user/heroku-key", hd.auth("write", false, hd.herokuKey))
	m.HandleFunc(prj, hd.project)
	m.HandleFunc(prj+"/{rest...}", hd.project)
	m.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "Not found"}})
	})
	hd.mux = m
}

type route struct {
	method  string
	kind    string
	ossRead bool
	fn      handlerFunc
}

// project dispatches /project/:vcs/:user/:project/… by hand: the branch of tree/:branch may hold
// slashes, which ServeMux patterns cannot tell apart from :build_num/artifacts.
func (hd *Handler) project(rw http.ResponseWriter, r *http.Request) {
	rest := r.PathValue("rest")
	parts := strings.Split(rest, "/")
	var routes []route
	switch {
	case rest == "":
		routes = []route{{"GET", "list", true, hd.list}, {"POST", "write", false, hd.trigger}}
	case parts[0] == "tree" && len(parts) > 1 && rest != "tree/":
		r.SetPathValue("branch", strings.TrimPrefix(rest, "tree/"))
		routes = []route{{"GET", "list", true, hd.list}, {"POST", "write", false, hd.trigger}}
	case rest == "follow":
		routes = []route{{"POST", "write", false, hd.follow(true)}}
	case rest == "unfollow":
		routes = []route{{"POST", "write", false, hd.follow(false)}}
	case rest == "ssh-key":
		routes = []route{{"POST", "write", false, hd.projectSSHKey}, {"DELETE", "write", false, hd.deleteSSHKey}}
	case rest == "envvar":
		routes = []route{{"GET", "write", false, hd.listEnvvars}, {"POST", "write", false, hd.addEnvvar}}
	case parts[0] == "envvar" && len(parts) == 2 && parts[1] != "":
		r.SetPathValue("name", parts[1])
		routes = []route{{"GET", "write", false, hd.getEnvvar}, {"DELETE", "write", false, hd.deleteEnvvar}}
	case rest == "build":
		routes = []route{{"POST", "write", false, hd.pipelineBuild}}
	case rest == "checkout-key":
		routes = []route{{"GET", "write", false, hd.listKeys}, {"POST", "write", false, hd.createKey}}
	case parts[0] == "checkout-key" && len(parts) == 2:
		r.SetPathValue("fp", parts[1])
		routes = []route{{"GET", "write", false, hd.getKey}, {"DELETE", "write", false, hd.deleteKey}}
	case rest == "latest/artifacts":
		routes = []route{{"GET", "artifacts", true, hd.latestArtifacts}}
	case rest == "build-cache":
		routes = []route{{"DELETE", "write", false, hd.buildCache}}
	case len(parts) <= 2 && isNum(parts[0]):
		r.SetPathValue("num", parts[0])
		sub := ""
		if len(parts) == 2 {
			sub = parts[1]
		}
		switch sub {
		case "":
			routes = []route{{"GET", "details", true, hd.detail}}
		case "artifacts":
			routes = []route{{"GET", "artifacts", true, hd.artifacts}}
		case "tests":
			routes = []route{{"GET", "tests", true, hd.tests}}
		case "retry":
			routes = []route{{"POST", "write", false, hd.retry}}
		case "ssh":
			routes = []route{{"POST", "write", false, hd.sshRetry}}
		case "cancel":
			routes = []route{{"POST", "write", false, hd.cancel}}
		case "ssh-users":
			routes = []route{{"POST", "write", false, hd.sshUsers}}
		}
	}
	if len(routes) == 0 {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "Not found"}})
		return
	}
	for _, rt := range routes {
		if rt.method == r.Method || (rt.method == "GET" && r.Method == "HEAD") {
			hd.auth(rt.kind, rt.ossRead, rt.fn)(rw, r)
			return
		}
	}
	writeJSON(rw, r, http.StatusMethodNotAllowed, obj{{"message", "Method not allowed"}})
}

func isNum(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && s != ""
}

// ServeHTTP applies latency, the rate limit and injected faults, then serves the API.
func (hd *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if hd.opts.Latency > 0 {
		select {
		case <-time.After(hd.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if hd.limiter != nil {
		if ok, wait := hd.limiter.allow(time.Now()); !ok {
			hd.count("429")
			rateLimited(rw, wait)
			return
		}
	}
	if hd.faults.enabled() {
		if kind := hd.faults.decide(r); kind != faultNone {
			hd.count("fault")
			hd.serveFault(rw, r, kind)
			return
		}
	}
	hd.mux.ServeHTTP(rw, r)
}

func rateLimited(rw http.ResponseWriter, retryAfter int) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	rw.WriteHeader(http.StatusTooManyRequests)
	_, _ = rw.Write([]byte("Rate limited."))
}

// token returns the token a request carries in any of the three documented forms.
func token(r *http.Request) (string, bool) {
	if t := r.Header.Get("Circle-Token"); t != "" {
		return t, true
	}
	if u, _, ok := r.BasicAuth(); ok {
		return u, true
	}
	if t := r.URL.Query().Get("circle-token"); t != "" {
		return t, true
	}
	return "", false
}

type handlerFunc func(rw http.ResponseWriter, r *http.Request, pi int)

// auth checks the token; read-only project endpoints of F/OSS projects also work without one.
func (hd *Handler) auth(kind string, ossRead bool, next handlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		hd.count(kind)
		pi := -1
		if r.PathValue("repo") != "" {
			pi = hd.projectIndex(r)
		}
		// Authenticate before looking the project up, so an unknown project without a valid
		// token is a 401 like any other (a 404 would tell strangers which projects exist).
		t, has := token(r)
		switch {
		case has && t == hd.opts.Token:
		case !has && ossRead && pi >= 0 && hd.w.gen.projects[pi].oss:
		default:
			writeJSON(rw, r, http.StatusUnauthorized, obj{{"message", "You must log in first."}})
			return
		}
		if r.PathValue("repo") != "" && pi < 0 {
			writeJSON(rw, r, http.StatusNotFound, obj{{"message", "Project not found"}})
			return
		}
		hd.mu.Lock()
		defer hd.mu.Unlock()
		next(rw, r, pi)
	}
}

func (hd *Handler) projectIndex(r *http.Request) int {
	vcs, user, repo := r.PathValue("vcs"), r.PathValue("user"), r.PathValue("repo")
	for i, p := range hd.w.gen.projects {
		if p.vcsType == vcs && p.username == user && p.reponame == repo {
			return i
		}
	}
	return -1
}

// writeJSON answers compact JSON to Accept: application/json and pretty JSON otherwise.
func writeJSON(rw http.ResponseWriter, r *http.Request, code int, v any) {
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	encode(&buf, v)
	body := buf.Bytes()
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") == nil {
			pretty.WriteByte('\n')
			body = pretty.Bytes()
		}
	}
	rw.Header().Set("Content-Type", "application/json;charset=utf-8")
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.Header().Set("X-Circleci-Scopes", ":all :none :read-settings :status :trigger-builds :view-builds :write-settings")
	rw.WriteHeader(code)
	_, _ = rw.Write(body)
}

func badRequest(rw http.ResponseWriter, r *http.Request, msg string) {
	writeJSON(rw, r, http.StatusBadRequest, obj{{"message", msg}})
}

func (hd *Handler) buildFromPath(rw http.ResponseWriter, r *http.Request, pi int) (*build, bool) {
	num, err := strconv.Atoi(r.PathValue("num"))
	if err != nil || num < 1 {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "Build not found"}})
		return nil, false
	}
	b, ok := hd.w.resolve(pi, num)
	if !ok {
		writeJSON(rw, r, http.StatusNotFound, obj{{"message", "Build not found"}})
		return nil, false
	}
	return b, true
}

func (hd *Handler) detail(rw http.ResponseWriter, r *http.Request, pi int) {
	if b, ok := hd.buildFromPath(rw, r, pi); ok {
		writeJSON(rw, r, http.StatusOK, hd.w.summary(b, hd.w.timeline(b, hd.w.now), true))
	}
}

func (hd *Handler) artifacts(rw http.ResponseWriter, r *http.Request, pi int) {
	if b, ok := hd.buildFromPath(rw, r, pi); ok {
		writeJSON(rw, r, http.StatusOK, hd.w.artifacts(b, hd.w.timeline(b, hd.w.now)))
	}
}

// latestArtifacts serves the artifacts of the latest build, optionally on ?branch= and ?filter=.
func (hd *Handler) latestArtifacts(rw http.ResponseWriter, r *http.Request, pi int) {
	filter := r.URL.Query().Get("filter")
	if filter == "" {
		filter = "completed"
	}
	page := hd.w.page(pi, r.URL.Query().Get("branch"), filter, 1, 0)
	if len(page) == 0 {
		writeJSON(rw, r, http.StatusOK, []obj{})
		return
	}
	writeJSON(rw, r, http.StatusOK, hd.w.artifacts(page[0].b, page[0].tl))
}

func (hd *Handler) tests(rw http.ResponseWriter, r *http.Request, pi int) {
	if b, ok := hd.buildFromPath(rw, r, pi); ok {
		writeJSON(rw, r, http.StatusOK, hd.w.tests(b, hd.w.timeline(b, hd.w.now)))
	}
}
