package dashboards

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/buildlake/buildlake/queries"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var errQuery = errors.New("could not run dashboard query")

// querier is what the dashboard's reads need: a *sql.Conn (taken from the pool with a bounded
// wait, see server.answer) or a *sql.DB.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func dashboardSQL(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic("dashboards: missing embedded sql/" + name + ".sql") // a build defect, caught by every test
	}
	return string(b)
}

// table is a query answer as the page reads it: column names and rows of JSON-ready values.
type table struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// kpis are the headline numbers; nil means "no data" (shown as an em dash).
type kpis struct {
	Builds                int64    `json:"builds"`
	SuccessRate           *float64 `json:"success_rate"`
	MedianDurationSeconds *float64 `json:"median_duration_seconds"`
	MedianQueueSeconds    *float64 `json:"median_queue_seconds"`
	FlakyTests            int      `json:"flaky_tests"`
	// FlakySince is the start of FlakyTests' window (which ends at the KPIs' until): 14 days
	// unless the request chose since.
	FlakySince string `json:"flaky_since"`
}

// filterChoices feed the filter drop-downs.
type filterChoices struct {
	Projects    []string `json:"projects"`
	Branches    []string `json:"branches"`
	FirstBuild  *string  `json:"first_build_at"`
	LastBuild   *string  `json:"last_build_at"`
	QueryNames  []string `json:"queries"`
	DefaultDays int      `json:"default_days"`
	FlakyDays   int      `json:"flaky_days"` // the flaky panels' window when since is not chosen
}

// sqlTime is how a window bound is bound to a ::TIMESTAMP parameter: UTC text, so the session
// time zone of DuckDB plays no part.
func sqlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

func windowArgs(p queries.Params) []any {
	return []any{sqlTime(p.Since), sqlTime(p.Until), p.Project, p.Branch}
}

// loadKPIs computes the KPIs of p; the flaky-tests count is over fp (see flakyParams).
func loadKPIs(ctx context.Context, db querier, p, fp queries.Params) (kpis, error) {
	var k kpis
	var successes, failures int64
	var dur, queue sql.NullFloat64
	err := db.QueryRowContext(ctx, dashboardSQL("kpis"), windowArgs(p)...).Scan(&k.Builds, &successes, &failures, &dur, &queue)
	if err != nil {
		return k, fmt.Errorf("%w kpis: %w", errQuery, err)
	}
	if successes+failures > 0 {
		r := float64(successes) / float64(successes+failures)
		k.SuccessRate = &r
	}
	if dur.Valid {
		k.MedianDurationSeconds = &dur.Float64
	}
	if queue.Valid {
		k.MedianQueueSeconds = &queue.Float64
	}
	flaky, err := runCanned(ctx, db, "flaky-tests", withLimit(fp, maxLimit))
	if err != nil {
		return k, err
	}
	k.FlakyTests = len(flaky.Rows)
	k.FlakySince = fp.Since.UTC().Format(time.RFC3339)
	return k, nil
}

func withLimit(p queries.Params, n int) queries.Params {
	p.Limit = n
	return p
}

func loadFilters(ctx context.Context, db querier, project string) (filterChoices, error) {
	f := filterChoices{Projects: []string{}, Branches: []string{}, DefaultDays: int(defaultWindow / (24 * time.Hour)),
		FlakyDays: int(flakyWindow / (24 * time.Hour))}
	for _, q := range queries.List() {
		f.QueryNames = append(f.QueryNames, q.Name)
	}
	rows, err := db.QueryContext(ctx, dashboardSQL("projects"))
	if err != nil {
		return f, fmt.Errorf("%w projects: %w", errQuery, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return f, fmt.Errorf("%w projects: %w", errQuery, err)
		}
		f.Projects = append(f.Projects, s)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, dashboardSQL("branches"), project)
	if err != nil {
		return f, fmt.Errorf("%w branches: %w", errQuery, err)
	}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return f, fmt.Errorf("%w branches: %w", errQuery, err)
		}
		f.Branches = append(f.Branches, s)
	}
	rows.Close()
	var first, last sql.NullTime
	if err := db.QueryRowContext(ctx, dashboardSQL("data_range")).Scan(&first, &last); err != nil {
		return f, fmt.Errorf("%w data range: %w", errQuery, err)
	}
	if first.Valid {
		s := first.Time.UTC().Format(time.RFC3339)
		f.FirstBuild = &s
	}
	if last.Valid {
		s := last.Time.UTC().Format(time.RFC3339)
		f.LastBuild = &s
	}
	return f, nil
}

// loadTable runs one of the dashboard's own window queries (flaky build links).
func loadTable(ctx context.Context, db querier, name string, p queries.Params) (table, error) {
	rows, err := db.QueryContext(ctx, dashboardSQL(name), windowArgs(p)...)
	if err != nil {
		return table{}, fmt.Errorf("%w %s: %w", errQuery, name, err)
	}
	defer rows.Close()
	res, err := queries.ReadRows(rows)
	if err != nil {
		return table{}, fmt.Errorf("%w %s: %w", errQuery, name, err)
	}
	return jsonTable(res), nil
}

// runCanned runs a canned query and makes its values JSON-ready.
func runCanned(ctx context.Context, db querier, name string, p queries.Params) (table, error) {
	res, err := queries.Run(ctx, db, name, p)
	if err != nil {
		return table{}, fmt.Errorf("%w %s: %w", errQuery, name, err)
	}
	return jsonTable(res), nil
}

// jsonTable makes a query result's values JSON-ready.
func jsonTable(res *queries.Result) table {
	t := table{Columns: res.Columns, Rows: make([][]any, 0, len(res.Rows))}
	if t.Columns == nil {
		t.Columns = []string{}
	}
	for _, r := range res.Rows {
		out := make([]any, len(r))
		for i, v := range r {
			out[i] = jsonValue(v)
		}
		t.Rows = append(t.Rows, out)
	}
	return t
}

// jsonValue converts what the DuckDB driver returns into values encoding/json writes as plain
// numbers and strings: HUGEINT sums, DECIMALs, times, NaN (which JSON cannot carry).
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return x
	case float32:
		return jsonValue(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case *big.Int:
		if x == nil {
			return nil
		}
		if x.IsInt64() {
			return x.Int64()
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case duckdb.Decimal:
		return jsonValue(x.Float64())
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return string(x)
	case duckdb.UUID:
		return x.String()
	case duckdb.Interval:
		return float64(x.Days)*86400e3 + float64(x.Micros)/1e3 + float64(x.Months)*30*86400e3
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = jsonValue(x[i])
		}
		return out
	default:
		return fmt.Sprint(x)
	}
}
