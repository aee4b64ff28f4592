package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

var simNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func newSim(t *testing.T, o circlecitest.Options) *circlecitest.Server {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 7
	}
	if o.Projects == 0 {
		o.Projects = 3
	}
	if o.BuildsPerProject == 0 {
		o.BuildsPerProject = 150
	}
	if o.Days == 0 {
		o.Days = 10
	}
	if o.Parallelism == 0 {
		o.Parallelism = 3
	}
	if o.TestsPerJob == 0 {
		o.TestsPerJob = 8
	}
	if o.Now.IsZero() {
		o.Now = simNow
	}
	srv := circlecitest.NewServer(o)
	t.Cleanup(srv.Close)
	return srv
}

func openStore(t *testing.T, path string) *load.Store {
	t.Helper()
	st, err := load.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func syncOnce(t *testing.T, st *load.Store, srv *circlecitest.Server, mod func(*pipeline.Options)) pipeline.Result {
	t.Helper()
	o := pipeline.Options{
		Host: srv.URL, Token: srv.Token, Now: srv.Now,
		Since: srv.Now().Add(-60 * 24 * time.Hour), Concurrency: 8,
		Rate: 1000, // the adaptive pacer has its own tests; a fixed ceiling keeps these quick
	}
	if mod != nil {
		mod(&o)
	}
	res, err := pipeline.Sync(context.Background(), st, o)
	if err != nil {
		t.Fatalf("sync: %v (result %+v)", err, res)
	}
	return res
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestSyncMatchesSimulator syncs a generated account and checks every table against what the
// simulator's generator says it served.
func TestSyncMatchesSimulator(t *testing.T) {
	srv := newSim(t, circlecitest.Options{})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	res := syncOnce(t, st, srv, nil)
	if res.Status != pipeline.StatusSuccess {
		t.Fatalf("status %q: %+v", res.Status, res.Failures)
	}
	checkAgainstStats(t, st.DB(), srv.Stats())
	if got := count(t, st.DB(), "SELECT count(*) FROM sync_runs WHERE status = 'success'"); got != 1 {
		t.Errorf("sync_runs success rows = %d, want 1", got)
	}
	if got := count(t, st.DB(), "SELECT count(*) FROM projects"); got != int64(len(srv.Stats().Projects)) {
		t.Errorf("projects rows = %d, want %d", got, len(srv.Stats().Projects))
	}
}

// checkAgainstStats compares every build the simulator serves with its rows: the build's
// fields (status, lifecycle, outcome, job, branch, revision, queue time, parallelism) and how many
// steps, actions, tests and artifacts it has, then each table's row count per project.
func checkAgainstStats(t *testing.T, db *sql.DB, stats circlecitest.Stats) {
	t.Helper()
	type stored struct {
		status, lifecycle, outcome, job, branch, rev sql.NullString
		queued                                       sql.NullTime
		parallel                                     sql.NullInt64
		steps, actions, tests, artifacts             int64
	}
	got := map[string]*stored{}
	key := func(slug string, n int64) string { return fmt.Sprintf("%s#%d", slug, n) }
	rows, err := db.Query(`SELECT project_slug, build_num, status, lifecycle, outcome, job_name, branch, vcs_revision,
		queued_at, parallel FROM builds`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var slug string
		var n int64
		r := &stored{}
		if err := rows.Scan(&slug, &n, &r.status, &r.lifecycle, &r.outcome, &r.job, &r.branch, &r.rev, &r.queued, &r.parallel); err != nil {
			t.Fatal(err)
		}
		got[key(slug, n)] = r
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		field func(*stored) *int64
	}{
		{`SELECT project_slug, build_num, count(DISTINCT step_index) FROM steps GROUP BY ALL`, func(r *stored) *int64 { return &r.steps }},
		{`SELECT project_slug, build_num, count(*) FROM steps GROUP BY ALL`, func(r *stored) *int64 { return &r.actions }},
		{`SELECT project_slug, build_num, count(*) FROM tests GROUP BY ALL`, func(r *stored) *int64 { return &r.tests }},
		{`SELECT project_slug, build_num, count(*) FROM artifacts GROUP BY ALL`, func(r *stored) *int64 { return &r.artifacts }},
	} {
		rows, err := db.Query(c.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var slug string
			var n, v int64
			if err := rows.Scan(&slug, &n, &v); err != nil {
				t.Fatal(err)
			}
			if r := got[key(slug, n)]; r != nil {
				*c.field(r) = v
			} else {
				t.Errorf("%s: child rows of a build that has no builds row", key(slug, n))
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}

	for _, p := range stats.Projects {
		var builds, actions, tests, artifacts int64
		for _, b := range p.Builds {
			builds++
			actions += int64(b.Actions)
			tests += int64(b.Tests)
			artifacts += int64(b.Artifacts)
			k := key(p.Slug, int64(b.BuildNum))
			r := got[k]
			if r == nil {
				t.Errorf("%s: not loaded", k)
				continue
			}
			if r.status.String != b.Status || r.lifecycle.String != b.Lifecycle || r.outcome.String != b.Outcome ||
				r.job.String != b.JobName || r.branch.String != b.Branch || r.rev.String != b.VCSRevision {
				t.Errorf("%s: got (%s %s %s %s %s %s), want (%s %s %s %s %s %s)", k,
					r.status.String, r.lifecycle.String, r.outcome.String, r.job.String, r.branch.String, r.rev.String,
					b.Status, b.Lifecycle, b.Outcome, b.JobName, b.Branch, b.VCSRevision)
			}
			// The API serves times in milliseconds; a build never queued has no queued_at.
			if want := b.QueuedAt.UTC().Truncate(time.Millisecond); r.queued.Valid != !b.QueuedAt.IsZero() ||
				(r.queued.Valid && !r.queued.Time.UTC().Equal(want)) {
				t.Errorf("%s: queued_at %v (valid %v), want %v", k, r.queued.Time, r.queued.Valid, want)
			}
			if b.Parallel > 0 && r.parallel.Int64 != int64(b.Parallel) {
				t.Errorf("%s: parallel %d, want %d", k, r.parallel.Int64, b.Parallel)
			}
			if r.steps != int64(b.Steps) || r.actions != int64(b.Actions) || r.tests != int64(b.Tests) || r.artifacts != int64(b.Artifacts) {
				t.Errorf("%s: steps/actions/tests/artifacts %d/%d/%d/%d, want %d/%d/%d/%d", k,
					r.steps, r.actions, r.tests, r.artifacts, b.Steps, b.Actions, b.Tests, b.Artifacts)
			}
		}
		if builds == 0 {
			t.Fatalf("%s: the simulator served no builds; the test would prove nothing", p.Slug)
		}
		for table, want := range map[string]int64{"builds": builds, "steps": actions, "tests": tests, "artifacts": artifacts} {
			got := count(t, db, fmt.Sprintf("SELECT count(*) FROM %s WHERE project_slug = ?", table), p.Slug)
			if got != want {
				t.Errorf("%s %s: %d rows, want %d", p.Slug, table, got, want)
			}
		}
	}
}

// TestSyncIncremental checks that a run with nothing new costs about one list request per
// project, and that after the clock moves only new and formerly running builds are fetched.
func TestSyncIncremental(t *testing.T) {
	srv := newSim(t, circlecitest.Options{})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, nil)
	unfinished := count(t, st.DB(), "SELECT count(*) FROM builds WHERE lifecycle NOT IN ('finished', 'not_run')")
	if unfinished == 0 {
		t.Fatal("the simulator left no build running at 'now'; the test would prove nothing")
	}

	srv.ResetRequests()
	syncOnce(t, st, srv, nil)
	req := srv.Requests()
	for _, kind := range []string{"details", "tests", "artifacts"} {
		if req[kind] != 0 {
			t.Errorf("nothing-new run made %d %s requests, want 0", req[kind], kind)
		}
	}
	if projects := int64(len(srv.Stats().Projects)); req["list"] > 2*projects {
		t.Errorf("nothing-new run made %d list requests for %d projects", req["list"], projects)
	}

	before := map[string]map[int]bool{}
	for _, p := range srv.Stats().Projects {
		before[p.Slug] = map[int]bool{}
		for _, b := range p.Builds {
			before[p.Slug][b.BuildNum] = b.Lifecycle == "finished" || b.Lifecycle == "not_run"
		}
	}
	srv.Advance(6 * time.Hour)
	srv.ResetRequests()
	syncOnce(t, st, srv, nil)
	var wantFetch int64
	for _, p := range srv.Stats().Projects {
		for _, b := range p.Builds {
			if fin, ok := before[p.Slug][b.BuildNum]; !ok || !fin {
				wantFetch++
			}
		}
	}
	for _, kind := range []string{"details", "tests", "artifacts"} {
		if got := srv.Requests()[kind]; got != wantFetch {
			t.Errorf("after Advance: %d %s requests, want %d (new + formerly unfinished)", got, kind, wantFetch)
		}
	}
	// The builds that were running now show their final state (checkAgainstStats compares every
	// build); at least one of them must have finished, or that proves nothing.
	finishedSince := 0
	for _, p := range srv.Stats().Projects {
		for _, b := range p.Builds {
			if fin, ok := before[p.Slug][b.BuildNum]; ok && !fin && (b.Lifecycle == "finished" || b.Lifecycle == "not_run") {
				finishedSince++
			}
		}
	}
	if finishedSince == 0 {
		t.Fatal("no formerly running build finished after Advance; the test would prove nothing")
	}
	checkAgainstStats(t, st.DB(), srv.Stats())
}

// TestFullResyncIsIdempotent re-reads everything and expects identical table contents.
func TestFullResyncIsIdempotent(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 80})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, nil)
	first := tableChecksums(t, st.DB())
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.Full = true })
	second := tableChecksums(t, st.DB())
	for table, sum := range first {
		if second[table] != sum {
			t.Errorf("%s changed after a full re-sync: %s → %s", table, sum, second[table])
		}
	}
}

// tableChecksums hashes every data table's rows (without extracted_at, which records when).
func tableChecksums(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"builds", "steps", "artifacts", "tests", "projects"} {
		var sum sql.NullString
		var n int64
		cols := "*"
		if table == "builds" || table == "projects" {
			cols = "* EXCLUDE (extracted_at)"
		}
		q := fmt.Sprintf(`SELECT count(*), bit_xor(hash(t::VARCHAR))::VARCHAR FROM (SELECT %s FROM %s) t`, cols, table)
		if err := db.QueryRow(q).Scan(&n, &sum); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = fmt.Sprintf("%d:%s", n, sum.String)
	}
	return out
}

// TestShortHorizonFirstStillBackfills: when a run with a short horizon (a nightly --full
// --since 3d, say) is the first on a new database, a later run with a longer horizon reads the
// older history instead of trusting the high-water mark.
func TestShortHorizonFirstStillBackfills(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 100})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.Full, o.Since = true, srv.Now().Add(-3*24*time.Hour) })
	short := count(t, st.DB(), "SELECT count(*) FROM builds")
	var all int64
	for _, p := range srv.Stats().Projects {
		all += int64(len(p.Builds))
	}
	if short == 0 || short >= all {
		t.Fatalf("3-day run loaded %d of %d builds; the test needs a strict subset", short, all)
	}
	srv.ResetRequests()
	syncOnce(t, st, srv, nil) // 60-day horizon
	checkAgainstStats(t, st.DB(), srv.Stats())
	srv.ResetRequests()
	syncOnce(t, st, srv, nil) // covered now: nothing more to read
	if got := srv.Requests()["details"]; got != 0 {
		t.Errorf("third run made %d detail requests, want 0", got)
	}
}

func TestSyncCreatesViews(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 20})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, nil)
	if got, want := count(t, st.DB(), "SELECT count(*) FROM build_facts"), count(t, st.DB(), "SELECT count(*) FROM builds"); got != want || got == 0 {
		t.Fatalf("build_facts has %d rows, builds %d", got, want)
	}
}

// TestSyncParquetDirFollowsTheDatabase: sync --parquet-dir exports what each run touched, so
// after runs that add and finish builds the Parquet dataset still equals the tables.
func TestSyncParquetDirFollowsTheDatabase(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 60})
	dir := t.TempDir()
	pq := filepath.Join(dir, "parquet")
	st := openStore(t, filepath.Join(dir, "b.duckdb"))
	defer st.Close()
	withParquet := func(o *pipeline.Options) { o.ParquetDir = pq }
	check := func(when string) { t.Helper(); checkParquetEqualsTables(t, st.DB(), pq, when) }
	syncOnce(t, st, srv, withParquet)
	check("first run")
	srv.Advance(8 * time.Hour)
	syncOnce(t, st, srv, withParquet)
	check("after Advance")
}

// TestSyncBadTokenFails: when no project can be listed (a wrong token) the run is "failed", not
// "partial", and the error names the project.
func TestSyncBadTokenFails(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 1, BuildsPerProject: 10})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	slug := srv.Stats().Projects[0].Slug
	res, err := pipeline.Sync(context.Background(), st, pipeline.Options{
		Host: srv.URL, Token: "not-the-token", Projects: []string{slug}, Now: srv.Now,
	})
	if err == nil || res.Status != pipeline.StatusFailed {
		t.Fatalf("status %q, err %v; want failed with an error", res.Status, err)
	}
	if !strings.Contains(err.Error(), slug) || strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error %q should name %s and never the token", err, slug)
	}
	if got := count(t, st.DB(), "SELECT count(*) FROM sync_runs WHERE status = 'failed'"); got != 1 {
		t.Errorf("failed runs recorded: %d, want 1", got)
	}
}

// TestNamedProjectGetsAProjectsRow: a --project that /projects cannot list (no token: F/OSS)
// still has its projects row.
func TestNamedProjectGetsAProjectsRow(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 2, BuildsPerProject: 10})
	var oss string
	for _, p := range srv.Stats().Projects {
		if p.OSS {
			oss = p.Slug
		}
	}
	if oss == "" {
		t.Fatal("the simulator has no F/OSS project")
	}
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.Token, o.Projects = "", []string{oss} })
	if n := count(t, st.DB(), "SELECT count(*) FROM projects WHERE project_slug = ? AND reponame IS NOT NULL", oss); n != 1 {
		t.Errorf("projects rows for %s: %d, want 1", oss, n)
	}
	if n := count(t, st.DB(), "SELECT count(*) FROM builds WHERE project_slug = ?", oss); n == 0 {
		t.Errorf("no builds of the F/OSS project %s were read without a token", oss)
	}
}

// checkParquetEqualsTables fails the test unless every exported table's Parquet files under pq
// hold exactly the table's rows (as multisets: nothing missing, nothing extra, no duplicates).
func checkParquetEqualsTables(t *testing.T, db *sql.DB, pq, when string) {
	t.Helper()
	for _, table := range []string{"builds", "steps", "tests", "artifacts"} {
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT * EXCLUDE (date) FROM read_parquet('%[1]s/%[2]s/*/*.parquet', hive_partitioning = true) EXCEPT ALL SELECT * FROM %[2]s)
			UNION ALL
			(SELECT * FROM %[2]s EXCEPT ALL SELECT * EXCLUDE (date) FROM read_parquet('%[1]s/%[2]s/*/*.parquet', hive_partitioning = true)))`, pq, table)
		if diff := count(t, db, q); diff != 0 {
			t.Errorf("%s: %s differs from its Parquet in %d rows", when, table, diff)
		}
	}
}
