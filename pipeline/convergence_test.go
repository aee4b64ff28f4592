package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// tamper is an http.RoundTripper between the sync and the simulator that lets a test change one
// exchange: before (answer or fail a request itself) and after (rewrite a JSON response).
type tamper struct {
	next   http.RoundTripper
	before func(req *http.Request) (*http.Response, error)
	after  func(req *http.Request, body any) any
}

func (tp *tamper) client() *http.Client { return &http.Client{Transport: tp} }

func (tp *tamper) RoundTrip(req *http.Request) (*http.Response, error) {
	if tp.before != nil {
		if resp, err := tp.before(req); resp != nil || err != nil {
			return resp, err
		}
	}
	resp, err := tp.next.RoundTrip(req)
	if err != nil || tp.after == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var body any
	if err := json.Unmarshal(raw, &body); err == nil {
		if raw, err = json.Marshal(tp.after(req, body)); err != nil {
			return nil, err
		}
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
	resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	return resp, nil
}

func newTamper() *tamper { return &tamper{next: http.DefaultTransport} }

// status answers req with code and a small JSON body.
func status(req *http.Request, code int) *http.Response {
	body := `{"message":"` + http.StatusText(code) + `"}`
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// apiBuildPath is the API path of one build's details (suffix "") or its tests or artifacts.
func apiBuildPath(slug string, num int, suffix string) string {
	return fmt.Sprintf("/api/v1.1/project/%s/%d%s", slug, num, suffix)
}

// finishedBuild returns a finished build of the project with at least one test, from the middle
// of its history.
func finishedBuild(t *testing.T, p circlecitest.ProjectStats) circlecitest.BuildStats {
	t.Helper()
	for _, b := range p.Builds[len(p.Builds)/2:] {
		if b.Lifecycle == "finished" && b.Tests > 0 {
			return b
		}
	}
	t.Fatal("no finished build with tests in the simulated history")
	return circlecitest.BuildStats{}
}

func state(t *testing.T, st *load.Store, slug string) load.ProjectState {
	t.Helper()
	states, err := st.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return states[slug]
}

func syncErr(t *testing.T, st *load.Store, srv *circlecitest.Server, mod func(*pipeline.Options)) (pipeline.Result, error) {
	t.Helper()
	return syncCtx(context.Background(), st, srv, mod)
}

func syncCtx(ctx context.Context, st *load.Store, srv *circlecitest.Server, mod func(*pipeline.Options)) (pipeline.Result, error) {
	o := pipeline.Options{Host: srv.URL, Token: srv.Token, Now: srv.Now,
		Since: srv.Now().Add(-60 * 24 * time.Hour), Concurrency: 8, Rate: 1000}
	if mod != nil {
		mod(&o)
	}
	return pipeline.Sync(ctx, st, o)
}

// TestSkippedBuildStaysPending: a finished build whose details transform cannot use (no
// build_num) is recorded under the number the run asked for and stays pending, so the next run
// loads it; the high-water mark never makes it lost.
func TestSkippedBuildStaysPending(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 40})
	p := srv.Stats().Projects[0]
	bad := finishedBuild(t, p)
	tp := newTamper()
	tp.after = func(req *http.Request, body any) any {
		if m, ok := body.(map[string]any); ok && req.URL.Path == apiBuildPath(p.Slug, bad.BuildNum, "") {
			delete(m, "build_num")
		}
		return body
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	res, err := syncErr(t, st, srv, func(o *pipeline.Options) { o.HTTPClient = tp.client() })
	if !errors.Is(err, pipeline.ErrPartial) {
		t.Fatalf("first run: err %v, want partial", err)
	}
	if n := count(t, st.DB(), "SELECT count(*) FROM sync_errors WHERE run_id = ? AND build_num = ? AND stage = 'decode'", res.RunID, bad.BuildNum); n != 1 {
		t.Errorf("sync_errors rows naming #%d: %d, want 1", bad.BuildNum, n)
	}
	if s := state(t, st, p.Slug); !slices.Contains(s.Pending, int64(bad.BuildNum)) {
		t.Errorf("#%d is not pending after transform skipped it: state %+v", bad.BuildNum, s)
	}
	syncOnce(t, st, srv, nil)
	checkAgainstStats(t, st.DB(), srv.Stats())
	if n := count(t, st.DB(), "SELECT count(*) FROM builds WHERE build_num = ?", bad.BuildNum); n != 1 {
		t.Errorf("#%d rows after the second run: %d, want 1", bad.BuildNum, n)
	}
}

// TestInterruptedFullRunKeepsPending: a --full run stopped after its first batch committed
// still lists every formerly pending build as pending.
func TestInterruptedFullRunKeepsPending(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 150})
	slug := srv.Stats().Projects[0].Slug
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, nil)
	before := state(t, st, slug).Pending
	if len(before) == 0 {
		t.Fatal("no pending build after the first run; the test would prove nothing")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tp := newTamper()
	tp.before = func(req *http.Request) (*http.Response, error) {
		if slices.ContainsFunc(before, func(n int64) bool { return req.URL.Path == apiBuildPath(slug, int(n), "") }) {
			cancel() // stop the run when it reaches the first formerly pending build
			return nil, context.Canceled
		}
		return nil, nil
	}
	res, err := syncCtx(ctx, st, srv, func(o *pipeline.Options) { o.Full, o.HTTPClient, o.Concurrency = true, tp.client(), 1 })
	if err == nil || res.Builds == 0 {
		t.Fatalf("interrupted run: err %v after %d builds; want an interruption after some builds", err, res.Builds)
	}
	after := state(t, st, slug)
	for _, n := range before {
		if !slices.Contains(after.Pending, n) {
			t.Errorf("#%d was pending and was not re-read, but is no longer pending: %v → %v", n, before, after.Pending)
		}
	}
}

// TestGoneBuildLeavesPending: a build whose details answer 404 is recorded once and is not
// re-read every run; a 404 from /tests leaves the build's stored tests as they are.
func TestGoneBuildLeavesPending(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 40})
	p := srv.Stats().Projects[0]
	gone := finishedBuild(t, p)
	tp := newTamper()
	tp.before = func(req *http.Request) (*http.Response, error) {
		if req.URL.Path == apiBuildPath(p.Slug, gone.BuildNum, "") {
			return status(req, http.StatusNotFound), nil
		}
		return nil, nil
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	withTamper := func(o *pipeline.Options) { o.HTTPClient = tp.client() }
	res, err := syncErr(t, st, srv, withTamper)
	if !errors.Is(err, pipeline.ErrPartial) {
		t.Fatalf("first run: err %v, want partial", err)
	}
	if n := count(t, st.DB(), "SELECT count(*) FROM sync_errors WHERE run_id = ? AND build_num = ? AND stage = 'details'", res.RunID, gone.BuildNum); n != 1 {
		t.Errorf("sync_errors rows for the gone #%d: %d, want 1", gone.BuildNum, n)
	}
	if s := state(t, st, p.Slug); slices.Contains(s.Pending, int64(gone.BuildNum)) {
		t.Errorf("the gone #%d is still pending: %+v", gone.BuildNum, s)
	}
	if res := syncOnce(t, st, srv, withTamper); res.Status != pipeline.StatusSuccess {
		t.Errorf("second run: status %q, want success: %+v", res.Status, res.Failures)
	}

	// A /tests 404 on a re-read build: its tests stay.
	withTests := finishedBuild(t, p)
	if withTests.BuildNum == gone.BuildNum {
		t.Skip("the same build")
	}
	want := count(t, st.DB(), "SELECT count(*) FROM tests WHERE build_num = ?", withTests.BuildNum)
	tp.before = func(req *http.Request) (*http.Response, error) {
		if req.URL.Path == apiBuildPath(p.Slug, withTests.BuildNum, "/tests") {
			return status(req, http.StatusNotFound), nil
		}
		return nil, nil
	}
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.HTTPClient, o.Full = tp.client(), true })
	if got := count(t, st.DB(), "SELECT count(*) FROM tests WHERE build_num = ?", withTests.BuildNum); got != want || want == 0 {
		t.Errorf("#%d tests after a /tests 404: %d rows, want the %d stored", withTests.BuildNum, got, want)
	}
}

// TestFetchPanicFailsTheRun: a panic in a fetch worker (here the HTTP transport) ends the run
// failed and recorded, instead of crashing the process.
func TestFetchPanicFailsTheRun(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 20})
	p := srv.Stats().Projects[0]
	tp := newTamper()
	tp.before = func(req *http.Request) (*http.Response, error) {
		if req.URL.Path == apiBuildPath(p.Slug, p.Builds[3].BuildNum, "") {
			panic("transport bug")
		}
		return nil, nil
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	res, err := syncErr(t, st, srv, func(o *pipeline.Options) { o.HTTPClient = tp.client() })
	if err == nil || !strings.Contains(err.Error(), "transport bug") || res.Status != pipeline.StatusFailed {
		t.Fatalf("status %q, err %v; want failed naming the panic", res.Status, err)
	}
	if n := count(t, st.DB(), "SELECT count(*) FROM sync_runs WHERE run_id = ? AND status = 'failed'", res.RunID); n != 1 {
		t.Errorf("failed sync_runs rows: %d, want 1", n)
	}
	if s := state(t, st, p.Slug); s.HighWater >= int64(p.Builds[3].BuildNum) && !slices.Contains(s.Pending, int64(p.Builds[3].BuildNum)) {
		t.Errorf("the build whose fetch panicked is neither above the mark nor pending: %+v", s)
	}
}

// TestListFailureIsRecorded: a project whose list fails has its sync_errors row, and
// sync_runs.errors counts the rows.
func TestListFailureIsRecorded(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 10})
	bad := srv.Stats().Projects[0].Slug
	tp := newTamper()
	tp.before = func(req *http.Request) (*http.Response, error) {
		if req.URL.Path == "/api/v1.1/project/"+bad {
			return status(req, http.StatusForbidden), nil
		}
		return nil, nil
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	res, err := syncErr(t, st, srv, func(o *pipeline.Options) { o.HTTPClient = tp.client() })
	if !errors.Is(err, pipeline.ErrPartial) {
		t.Fatalf("err %v, want partial", err)
	}
	if n := count(t, st.DB(), "SELECT count(*) FROM sync_errors WHERE run_id = ? AND project_slug = ? AND stage = 'list'", res.RunID, bad); n != 1 {
		t.Errorf("list rows in sync_errors: %d, want 1", n)
	}
	rows := count(t, st.DB(), "SELECT count(*) FROM sync_errors WHERE run_id = ?", res.RunID)
	if runErrors := count(t, st.DB(), "SELECT errors FROM sync_runs WHERE run_id = ?", res.RunID); runErrors != rows {
		t.Errorf("sync_runs.errors = %d, sync_errors has %d rows", runErrors, rows)
	}
}

// TestUnknownLifecycleIsFinished: a build with no lifecycle is not waited for forever.
func TestUnknownLifecycleIsFinished(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 30})
	p := srv.Stats().Projects[0]
	odd := finishedBuild(t, p)
	tp := newTamper()
	tp.after = func(req *http.Request, body any) any {
		if m, ok := body.(map[string]any); ok && req.URL.Path == apiBuildPath(p.Slug, odd.BuildNum, "") {
			m["lifecycle"] = nil
		}
		return body
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.HTTPClient = tp.client() })
	if s := state(t, st, p.Slug); slices.Contains(s.Pending, int64(odd.BuildNum)) {
		t.Errorf("#%d (finished, no lifecycle) is pending: %v", odd.BuildNum, s.Pending)
	}
}

// TestProjectWithoutVCSType: /projects entries without vcs_type still get their projects row.
func TestProjectWithoutVCSType(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 5})
	tp := newTamper()
	tp.after = func(req *http.Request, body any) any {
		if l, ok := body.([]any); ok && req.URL.Path == "/api/v1.1/projects" {
			for _, p := range l {
				if m, ok := p.(map[string]any); ok {
					delete(m, "vcs_type")
				}
			}
		}
		return body
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.HTTPClient = tp.client() })
	for _, p := range srv.Stats().Projects {
		if n := count(t, st.DB(), "SELECT count(*) FROM projects WHERE project_slug = ? AND vcs_type IS NOT NULL", p.Slug); n != 1 {
			t.Errorf("projects rows for %s: %d, want 1", p.Slug, n)
		}
	}
}

// TestInterruptedFirstRunStillBackfills: a first run stopped part-way records how far back its
// committed history reaches, so a later run with a longer horizon reads the older builds.
func TestInterruptedFirstRunStillBackfills(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 100})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var details atomic.Int64
	tp := newTamper()
	tp.before = func(req *http.Request) (*http.Response, error) {
		if strings.Count(strings.TrimPrefix(req.URL.Path, "/api/v1.1/project/"), "/") == 3 && details.Add(1) > 10 {
			cancel()
			return nil, context.Canceled
		}
		return nil, nil
	}
	res, _ := syncCtx(ctx, st, srv, func(o *pipeline.Options) {
		o.Since, o.HTTPClient, o.Concurrency = srv.Now().Add(-5*24*time.Hour), tp.client(), 1
	})
	if res.Builds == 0 {
		t.Fatal("the interrupted run loaded nothing; the test would prove nothing")
	}
	syncOnce(t, st, srv, nil) // 60-day horizon
	checkAgainstStats(t, st.DB(), srv.Stats())
}

// progressLog records every progress update.
type progressLog struct{ last pipeline.ProgressState }

func (p *progressLog) Update(s pipeline.ProgressState) { p.last = s }

func TestProgressCountsProjectsDone(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 3, BuildsPerProject: 10})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	for run := range 2 { // with builds to fetch, then with nothing new
		pr := &progressLog{}
		syncOnce(t, st, srv, func(o *pipeline.Options) { o.Progress = pr })
		if pr.last.ProjectsDone != 3 || pr.last.ProjectsTotal != 3 {
			t.Errorf("run %d: last progress %+v, want 3 of 3 projects done", run+1, pr.last)
		}
	}
}

// cancelAtEnd cancels the run once every build is loaded: the run then stops before its export.
type cancelAtEnd struct{ cancel context.CancelFunc }

func (c cancelAtEnd) Update(s pipeline.ProgressState) {
	if s.BuildsTotal > 0 && s.BuildsDone == s.BuildsTotal {
		c.cancel()
	}
}

// TestParquetCatchesUpAfterAnInterruptedRun: the first --parquet-dir run on an existing database
// exports everything, and a run after one cancelled before its export still leaves Parquet equal
// to the tables.
func TestParquetCatchesUpAfterAnInterruptedRun(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 60})
	dir := t.TempDir()
	pq := filepath.Join(dir, "parquet")
	st := openStore(t, filepath.Join(dir, "b.duckdb"))
	defer st.Close()
	withParquet := func(o *pipeline.Options) { o.ParquetDir = pq }
	check := func(when string) { t.Helper(); checkParquetEqualsTables(t, st.DB(), pq, when) }
	syncOnce(t, st, srv, nil) // no Parquet yet
	syncOnce(t, st, srv, withParquet)
	check("first --parquet-dir run on an existing database")

	srv.Advance(8 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := syncCtx(ctx, st, srv, func(o *pipeline.Options) { withParquet(o); o.Progress = cancelAtEnd{cancel} })
	if !errors.Is(err, context.Canceled) || res.Builds == 0 {
		t.Fatalf("interrupted run: err %v after %d builds; want cancelled after loading", err, res.Builds)
	}
	syncOnce(t, st, srv, withParquet) // nothing new: only the catching up
	check("after a run cancelled before its export")
}
