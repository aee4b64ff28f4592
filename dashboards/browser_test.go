package dashboards

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/queries"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts Debian's Chromium headless with a fresh profile, or skips outside CI when it is
// not installed (in CI it must run).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI: .ci/install must apt-get install chromium", chromiumPath)
		}
		t.Skipf("%s is not installed (apt-get install chromium); the browser test runs in CI", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	t.Cleanup(acancel)
	return actx
}

// pageWatch records what a tab did that a test must reject: console errors, uncaught
// exceptions, browser-log errors, and every URL it requested.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (w *pageWatch) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			w.problems = append(w.problems, "console."+string(e.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		w.problems = append(w.problems, "exception: "+msg)
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			w.problems = append(w.problems, "browser log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		w.requests = append(w.requests, e.Request.URL)
	}
}

func (w *pageWatch) check(t *testing.T, allowed func(*url.URL) bool) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Errorf("page problem: %s", p)
	}
	if len(w.requests) == 0 {
		t.Errorf("no network request seen: the watcher is not working")
	}
	for _, r := range w.requests {
		u, err := url.Parse(r)
		if err != nil || !allowed(u) {
			t.Errorf("request leaves the allowed origin: %s", r)
		}
	}
}

// tab opens a tab watched by a new pageWatch, in light or dark colour scheme.
func tab(t *testing.T, actx context.Context, dark bool) (context.Context, *pageWatch) {
	t.Helper()
	w := &pageWatch{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(w.listen))
	t.Cleanup(cancel)
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
	return ctx, w
}

// chartState is what the page reports about one chart.
type chartState struct {
	Points     int      `json:"points"`
	Series     int      `json:"series"`
	Canvas     bool     `json:"canvas"`
	Painted    int      `json:"painted"`
	Labels     []string `json:"labels"`
	Generation int      `json:"generation"`
}

type pageState struct {
	Generation int                   `json:"generation"`
	Error      string                `json:"error"`
	Charts     map[string]chartState `json:"charts"`
	FlakyTests []string              `json:"flaky_tests"`
	FailLinks  []string              `json:"fail_links"`
	FlakyJobs  []string              `json:"flaky_jobs"`
	Steps      int                   `json:"steps"`
	KPIFlaky   string                `json:"kpi_flaky"`
	KPIBuilds  string                `json:"kpi_builds"`
}

const readState = `(() => {
  const charts = {};
  for (const el of document.querySelectorAll('[data-chart]')) {
    const name = el.dataset.chart, u = window.buildlake.charts[name], c = el.querySelector('canvas');
    let painted = 0;
    if (c) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 16) if (d[i] > 0) painted++;
    }
    charts[name] = { points: +el.dataset.points || 0, series: +el.dataset.series || 0, canvas: !!c, painted,
      labels: u ? u.series.slice(1).map(s => s.label) : [], generation: +el.dataset.generation || 0 };
  }
  const rows = (id, attr) => [...document.querySelectorAll('#' + id + ' tbody tr[' + attr + ']')].map(r => r.getAttribute(attr));
  return {
    generation: window.buildlake.generation, error: window.buildlake.error, charts,
    flaky_tests: rows('table-flaky-tests', 'data-test'),
    fail_links: [...document.querySelectorAll('#table-flaky-tests a.build-link.fail')].map(a => a.href),
    flaky_jobs: rows('table-flaky-jobs', 'data-job'),
    steps: document.querySelectorAll('#table-steps tbody tr').length,
    kpi_flaky: document.getElementById('kpi-flaky').textContent,
    kpi_builds: document.getElementById('kpi-builds').textContent,
  };
})()`

// waitGeneration waits until the page has drawn at least gen answers and is idle.
func waitGeneration(t *testing.T, ctx context.Context, gen int) pageState {
	t.Helper()
	expr := fmt.Sprintf(`window.buildlake && !window.buildlake.loading && (window.buildlake.generation >= %d || window.buildlake.error)`, gen)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("page never drew generation %d: %v", gen, err)
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		t.Fatal(err)
	}
	if st.Error != "" {
		t.Fatalf("page shows an error: %s", st.Error)
	}
	return st
}

func checkCharts(t *testing.T, st pageState) {
	t.Helper()
	for _, name := range []string{"duration-trend", "queue-time-trend", "success-rate"} {
		c, ok := st.Charts[name]
		if !ok || c.Points == 0 || c.Series == 0 || !c.Canvas || c.Painted == 0 {
			t.Errorf("chart %s not drawn with data: %+v", name, c)
		}
	}
	if st.Steps == 0 {
		t.Errorf("slowest steps table is empty")
	}
}

// truthFlaky names the simulator's flaky tests of the given projects as the page does.
func truthFlaky(truth circlecitest.Truth, projects ...string) []string {
	var out []string
	for _, f := range truth.FlakyTests {
		if slices.Contains(projects, f.ProjectSlug) {
			name := f.Name
			if f.Classname != "" {
				name = f.Classname + "." + f.Name
			}
			out = append(out, name)
		}
	}
	return out
}

func wantFlaky(t *testing.T, st pageState, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("no flaky tests expected: the fixture injects some, so this test would prove nothing")
	}
	got := slices.Clone(st.FlakyTests)
	want = slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("flaky tests table lists %q, want %q", got, want)
	}
	if len(st.FailLinks) != len(want) {
		t.Errorf("flaky tests link to failed builds %v, want one link per test", st.FailLinks)
	}
	for _, l := range st.FailLinks {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(u.Path, "/gh/") {
			t.Errorf("build link %q does not point at a CircleCI build", l)
		}
	}
	if st.KPIFlaky != fmt.Sprint(len(want)) {
		t.Errorf("flaky tests KPI %q, want %d", st.KPIFlaky, len(want))
	}
}

func selectProject(t *testing.T, ctx context.Context, project string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const s = document.getElementById('f-project'); s.value = %q;
		s.dispatchEvent(new Event('change', { bubbles: true })); return s.value; })()`, project)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil || got != project {
		t.Fatalf("could not choose project %q (got %q): %v", project, got, err)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "docs", "img", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// artifactDir is where screenshots are kept: $BUILDLAKE_ARTIFACTS/dashboards when set (.ci/run
// sets it so CI keeps them), else the test's temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("BUILDLAKE_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, "dashboards")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func loopbackOnly(u *url.URL) bool {
	return (u.Scheme == "http" && u.Hostname() == "127.0.0.1") || u.Scheme == "data"
}

// simProjects are the simulator's project slugs (Projects: 2).
var simProjects = []string{"github/acme/api", "github/acme/web"}

func TestBrowserServedDashboard(t *testing.T) {
	actx := browser(t)
	path, truth := sharedSimFixture(t)
	srv := httptest.NewServer(Handler(Options{DBPath: path, Now: func() time.Time { return simNow }}))
	t.Cleanup(srv.Close)
	// The simulator's truth counts flaky tests over the last 14 days, as CircleCI Insights does.
	page := srv.URL + "/?since=14d"
	for _, dark := range []bool{false, true} {
		name := map[bool]string{false: "dashboard.png", true: "dashboard-dark.png"}[dark]
		t.Run(name, func(t *testing.T) {
			ctx, watch := tab(t, actx, dark)
			if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
				t.Fatal(err)
			}
			st := waitGeneration(t, ctx, 1)
			checkCharts(t, st)
			wantFlaky(t, st, truthFlaky(truth, simProjects...))
			if len(st.FlakyJobs) == 0 {
				t.Errorf("flaky jobs table is empty; the simulator injects flaky jobs")
			}
			screenshot(t, ctx, name)
			if dark {
				// While a sync holds the file, a reload still draws the page from the answers
				// kept by the first load, and says how old they are.
				release := holdLock(t, path)
				defer release()
				if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
					t.Fatal(err)
				}
				locked := waitGeneration(t, ctx, 1)
				checkCharts(t, locked)
				wantFlaky(t, locked, truthFlaky(truth, simProjects...))
				status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
				if !strings.Contains(status, "showing data as of") {
					t.Errorf("locked database: status %q, want the time of the kept data", status)
				}
				watch.check(t, loopbackOnly)
				return
			}

			// A filter change redraws every chart with that project's data only.
			selectProject(t, ctx, simProjects[1])
			after := waitGeneration(t, ctx, st.Generation+1)
			checkCharts(t, after)
			wantFlaky(t, after, truthFlaky(truth, simProjects[1]))
			for name, c := range after.Charts {
				if c.Generation != after.Generation {
					t.Errorf("chart %s not redrawn after the filter change (generation %d of %d)", name, c.Generation, after.Generation)
				}
			}
			if d := after.Charts["duration-trend"]; slices.Equal(d.Labels, st.Charts["duration-trend"].Labels) {
				t.Errorf("duration chart series unchanged by the project filter: %v", d.Labels)
			}
			if after.KPIBuilds == st.KPIBuilds {
				t.Errorf("builds KPI unchanged (%s) by the project filter", after.KPIBuilds)
			}
			// The period filter regroups the trends: fewer, weekly points.
			js := `(() => { const s = document.getElementById('f-period'); s.value = 'week'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
				t.Fatal(err)
			}
			weekly := waitGeneration(t, ctx, after.Generation+1)
			checkCharts(t, weekly)
			if w, d := weekly.Charts["success-rate"].Points, after.Charts["success-rate"].Points; w == 0 || w >= d {
				t.Errorf("weekly success-rate points %d, want fewer than daily %d", w, d)
			}
			// A month over a 14-day window is one or two points per series: still drawn, no errors.
			js = `(() => { const s = document.getElementById('f-period'); s.value = 'month'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
				t.Fatal(err)
			}
			checkCharts(t, waitGeneration(t, ctx, weekly.Generation+1))
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			if !strings.Contains(loc, "period=month") || !strings.Contains(loc, "project=github%2Facme%2Fweb") {
				t.Errorf("filters are not kept in the URL: %s", loc)
			}
			watch.check(t, loopbackOnly)
		})
	}
}

func TestBrowserStaticReport(t *testing.T) {
	actx := browser(t)
	dbPath, truth := sharedSimFixture(t)
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := queries.Params{Since: simNow.Add(-circlecitest.FlakyWindow), Until: simNow, Period: "day"}
	err = WriteStatic(context.Background(), f, Options{DBPath: dbPath, Now: func() time.Time { return simNow }}, p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, watch := tab(t, actx, false)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	st := waitGeneration(t, ctx, 1)
	checkCharts(t, st)
	wantFlaky(t, st, truthFlaky(truth, simProjects...))
	screenshot(t, ctx, "dashboard-static.png")

	// The project filter works offline, over the embedded data.
	selectProject(t, ctx, simProjects[0])
	after := waitGeneration(t, ctx, st.Generation+1)
	checkCharts(t, after)
	wantFlaky(t, after, truthFlaky(truth, simProjects[0]))
	if after.KPIBuilds == st.KPIBuilds {
		t.Errorf("builds KPI unchanged (%s) by the project filter", after.KPIBuilds)
	}
	watch.check(t, func(u *url.URL) bool { return u.Scheme == "file" || u.Scheme == "data" })
}
