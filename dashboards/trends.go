package dashboards

import (
	"context"
	"fmt"
	"sort"

	"github.com/buildlake/buildlake/queries"
)

// trendSeries is how many series the duration and success-rate charts draw: the busiest.
const trendSeries = 6

// trendTable is a chart's data: every row of the canned query reduced on the server, so that
// its size does not grow with the number of projects and no project is cut off for sorting last.
// duration-trend and success-rate keep the rows of the trendSeries busiest (project, job)
// series; queue-time-trend is one row per period (builds-weighted means of the medians of every
// project and resource class, as the chart stacks them).
type trendTable struct {
	namedTable
	// SeriesTotal and SeriesShown count the (project, job) or (project, resource class) series
	// of the answer and those the rows hold; Truncated says some were left out.
	SeriesTotal int  `json:"series_total"`
	SeriesShown int  `json:"series_shown"`
	Truncated   bool `json:"truncated"`
}

// loadTrend runs the trend query name over p (every row, whatever p.Limit) and reduces it.
func loadTrend(ctx context.Context, db querier, name string, p queries.Params) (trendTable, error) {
	t, err := runAll(ctx, db, name, p)
	if err != nil {
		return trendTable{}, err
	}
	return reduceTrend(name, p, t)
}

func runAll(ctx context.Context, db querier, name string, p queries.Params) (table, error) {
	res, err := queries.RunAll(ctx, db, name, p)
	if err != nil {
		return table{}, fmt.Errorf("%w %s: %w", errQuery, name, err)
	}
	return jsonTable(res), nil
}

// reduceTrend reduces every row t of the trend query name over p.
func reduceTrend(name string, p queries.Params, t table) (trendTable, error) {
	out := trendTable{namedTable: namedTable{Name: name, Params: toParamsJSON(p)}}
	switch name {
	case "duration-trend":
		out.table, out.SeriesTotal, out.SeriesShown = busiest(t, "job_name", "builds")
	case "success-rate":
		out.table, out.SeriesTotal, out.SeriesShown = busiest(t, "job_name", "runs")
	case "queue-time-trend":
		out.table, out.SeriesTotal = queuePerPeriod(t)
		out.SeriesShown = out.SeriesTotal
	default:
		return out, fmt.Errorf("%w: %s is not a trend", errQuery, name)
	}
	out.Truncated = out.SeriesShown < out.SeriesTotal
	return out, nil
}

// busiest keeps the rows of the trendSeries series (project_slug, seriesCol) with the largest
// sum of weightCol, ties by name; it returns them with the number of series before and after.
func busiest(t table, seriesCol, weightCol string) (table, int, int) {
	proj, ser, wt := colIndex(t, "project_slug"), colIndex(t, seriesCol), colIndex(t, weightCol)
	type key struct{ project, series string }
	weight := map[key]float64{}
	keyOf := func(r []any) key { return key{fmt.Sprint(r[proj]), fmt.Sprint(r[ser])} }
	for _, r := range t.Rows {
		weight[keyOf(r)] += number(r[wt])
	}
	keys := make([]key, 0, len(weight))
	for k := range weight {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if weight[a] != weight[b] {
			return weight[a] > weight[b]
		}
		if a.project != b.project {
			return a.project < b.project
		}
		return a.series < b.series
	})
	keep := map[key]bool{}
	for _, k := range keys[:min(trendSeries, len(keys))] {
		keep[k] = true
	}
	out := table{Columns: t.Columns, Rows: [][]any{}}
	for _, r := range t.Rows {
		if keep[keyOf(r)] {
			out.Rows = append(out.Rows, r)
		}
	}
	return out, len(keys), len(keep)
}

// queuePerPeriod folds queue-time-trend into one row per period: builds, and the builds-weighted
// means of the p50 usage and run queues of its series (those with a value). It returns the
// number of (project, resource class) series folded.
func queuePerPeriod(t table) (table, int) {
	proj, class, period, builds := colIndex(t, "project_slug"), colIndex(t, "resource_class"), colIndex(t, "period_start"), colIndex(t, "builds")
	usage, run := colIndex(t, "p50_usage_queue_seconds"), colIndex(t, "p50_run_queue_seconds")
	type sums struct{ n, usage, nu, run, nr float64 }
	per := map[string]*sums{}
	var order []string
	series := map[string]bool{}
	for _, r := range t.Rows {
		series[fmt.Sprint(r[proj], "\x00", r[class])] = true
		x := fmt.Sprint(r[period])
		s := per[x]
		if s == nil {
			s = &sums{}
			per[x] = s
			order = append(order, x)
		}
		n := number(r[builds])
		s.n += n
		if r[usage] != nil {
			s.usage += n * number(r[usage])
			s.nu += n
		}
		if r[run] != nil {
			s.run += n * number(r[run])
			s.nr += n
		}
	}
	sort.Strings(order) // RFC 3339 dates sort as text
	out := table{Columns: []string{"period_start", "builds", "p50_usage_queue_seconds", "p50_run_queue_seconds"}, Rows: [][]any{}}
	mean := func(sum, n float64) any {
		if n == 0 {
			return nil
		}
		return sum / n
	}
	for _, x := range order {
		s := per[x]
		out.Rows = append(out.Rows, []any{x, int64(s.n), mean(s.usage, s.nu), mean(s.run, s.nr)})
	}
	return out, len(series)
}

// projectRows is the rows of t of one project.
func projectRows(t table, project string) table {
	proj := colIndex(t, "project_slug")
	out := table{Columns: t.Columns, Rows: [][]any{}}
	for _, r := range t.Rows {
		if r[proj] == project {
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

func colIndex(t table, name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	panic("dashboards: trend answer has no column " + name) // the canned columns are fixed
}

func number(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case int:
		return float64(x)
	}
	return 0
}
