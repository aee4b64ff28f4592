package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/buildlake/buildlake/queries"
)

// tableLimit is how many rows of each table a static report embeds per project; the trends
// are reduced per project instead (see loadTrend), so every project keeps its charts.
const tableLimit = 200

// trendQueries are drawn as charts, tableQueries as tables; both are what the page shows.
var (
	trendQueries = []string{"duration-trend", "queue-time-trend", "success-rate"}
	tableQueries = []string{"flaky-tests", "flaky-jobs", "slowest-steps"}
)

// staticData is the inline JSON of a static report: the same answers the API gives, for every
// project at once so the page can filter by project without a server.
type staticData struct {
	GeneratedAt string                `json:"generated_at"`
	Params      paramsJSON            `json:"params"`
	Filters     filterChoices         `json:"filters"`
	KPIs        map[string]kpis       `json:"kpis"` // by project_slug; "" is every project
	Queries     map[string]namedTable `json:"queries"`
	// Trends holds each chart's data by query, then by project_slug ("" is every project).
	Trends map[string]map[string]trendTable `json:"trends"`
	Links  map[string]namedTable            `json:"links"`
}

// WriteStatic writes one self-contained HTML file (assets and data inlined) showing the
// dashboard for p. When p.Project is empty the report holds every project and its project
// filter works offline; branch, period and time range are fixed at p.
func WriteStatic(ctx context.Context, w io.Writer, o Options, p queries.Params) error {
	if p.Until.IsZero() {
		p.Until = o.now()
	}
	sinceGiven := !p.Since.IsZero()
	if p.Since.IsZero() {
		p.Since = p.Until.Add(-defaultWindow)
	}
	if p.Period == "" {
		p.Period = "day"
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errBadParam, err)
	}
	s := &server{o: o, ro: &readOnlyDB{path: o.DBPath}}
	conn, release, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer release()
	d, err := collectStatic(ctx, conn, p, flakyParams(p, sinceGiven), o.now())
	if err != nil {
		return err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("could not encode report data: %w", err)
	}
	return renderPage(w, pageData{
		Static:   true,
		Title:    "buildlake report " + p.Since.Format("2006-01-02") + " – " + p.Until.Add(-time.Second).Format("2006-01-02"),
		UPlotCSS: template.CSS(mustAsset("vendor/uplot/uPlot.min.css")),
		AppCSS:   template.CSS(mustAsset("app.css")),
		UPlotJS:  template.JS(mustAsset("vendor/uplot/uPlot.iife.min.js")),
		AppJS:    template.JS(mustAsset("app.js")),
		DataJSON: template.JS(data), // json.Marshal escapes <, > and &: no "</script>" can appear
	})
}

// collectStatic gathers the report's data for p; the flaky panels use fp (see flakyParams).
func collectStatic(ctx context.Context, db querier, p, fp queries.Params, now time.Time) (staticData, error) {
	d := staticData{
		GeneratedAt: now.Format(time.RFC3339),
		Params:      toParamsJSON(p),
		KPIs:        map[string]kpis{},
		Queries:     map[string]namedTable{},
		Trends:      map[string]map[string]trendTable{},
		Links:       map[string]namedTable{},
	}
	var err error
	if d.Filters, err = loadFilters(ctx, db, p.Project); err != nil {
		return d, err
	}
	projects := []string{p.Project}
	if p.Project == "" {
		projects = append(projects, d.Filters.Projects...)
	} else {
		d.Filters.Projects = []string{p.Project} // the report holds this project's data only
	}
	for _, proj := range projects {
		pp, fpp := p, fp
		pp.Project, fpp.Project = proj, proj
		if d.KPIs[proj], err = loadKPIs(ctx, db, pp, fpp); err != nil {
			return d, err
		}
	}
	// One query per trend, split by project here: every project's chart, at one scan's cost.
	for _, name := range trendQueries {
		all, err := runAll(ctx, db, name, p)
		if err != nil {
			return d, err
		}
		d.Trends[name] = map[string]trendTable{}
		for _, proj := range projects {
			rows, pp := all, p
			if proj != p.Project {
				rows, pp.Project = projectRows(all, proj), proj
			}
			if d.Trends[name][proj], err = reduceTrend(name, pp, rows); err != nil {
				return d, err
			}
		}
	}
	for _, name := range tableQueries {
		pp := withLimit(p, min(tableLimit*max(1, len(projects)-1), maxLimit))
		if strings.HasPrefix(name, "flaky-") {
			pp = withLimit(fp, pp.Limit)
		}
		if d.Queries[name], err = cannedTable(ctx, db, name, pp); err != nil {
			return d, err
		}
	}
	for _, name := range []string{"flaky_test_builds", "flaky_job_builds"} {
		t, err := loadTable(ctx, db, name, fp)
		if err != nil {
			return d, err
		}
		d.Links[name] = namedTable{Name: name, Params: toParamsJSON(fp), table: t}
	}
	return d, nil
}
