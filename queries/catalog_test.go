package queries_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/queries"
)

var wantQueries = []string{
	"duration-regressions", "duration-trend", "flaky-jobs", "flaky-tests", "mttr",
	"queue-time-trend", "slowest-steps", "success-rate", "wasted-time",
}

func TestListHasEveryQuerySorted(t *testing.T) {
	var names []string
	for _, q := range queries.List() {
		names = append(names, q.Name)
	}
	if !slices.Equal(names, wantQueries) {
		t.Fatalf("List() = %v, want %v", names, wantQueries)
	}
	if _, ok := queries.Get("no-such-query"); ok {
		t.Fatal("Get(no-such-query) found something")
	}
}

var bindRE = regexp.MustCompile(`\$([a-z_]+)`)

// TestHeaders checks every file documents itself and that its params line lists exactly the
// $names its SQL binds (Run binds only those).
func TestHeaders(t *testing.T) {
	for _, q := range queries.List() {
		t.Run(q.Name, func(t *testing.T) {
			if q.Description == "" || len(q.Description) > 100 {
				t.Errorf("description %q: want one line under 100 characters", q.Description)
			}
			for _, key := range []string{"-- definition:", "-- pass/fail:"} {
				if !strings.Contains(q.SQL, key) {
					t.Errorf("header lacks %q", key)
				}
			}
			var bound []string
			for _, m := range bindRE.FindAllStringSubmatch(q.SQL, -1) {
				if !slices.Contains(bound, m[1]) {
					bound = append(bound, m[1])
				}
			}
			params := slices.Clone(q.Params)
			slices.Sort(bound)
			slices.Sort(params)
			if !slices.Equal(bound, params) {
				t.Errorf("params header %v, SQL binds %v", params, bound)
			}
			for _, p := range params {
				if !slices.Contains([]string{"since", "until", "project", "branch", "period", "limit", "threshold"}, p) {
					t.Errorf("unknown param %q", p)
				}
			}
		})
	}
}

// TestEveryQueryRunsOnEmptyDatabase also checks each query returns no rows on no data (rather
// than, say, one row of NULLs) with every period.
func TestEveryQueryRunsOnEmptyDatabase(t *testing.T) {
	db := openFixture(t, "")
	for _, q := range queries.List() {
		for _, period := range queries.Periods {
			res, err := queries.Run(context.Background(), db, q.Name, queries.Params{Period: period})
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			if len(res.Rows) != 0 || len(res.Columns) < 3 {
				t.Errorf("%s: %d rows, columns %v", q.Name, len(res.Rows), res.Columns)
			}
		}
	}
}

func TestRunRejectsBadParams(t *testing.T) {
	db := openFixture(t, "")
	ctx := context.Background()
	if _, err := queries.Run(ctx, db, "nope", queries.Params{}); !errors.Is(err, queries.ErrUnknownQuery) {
		t.Errorf("unknown query: err = %v", err)
	}
	future := time.Now().Add(48 * time.Hour)
	for name, p := range map[string]queries.Params{
		"period":          {Period: "year"},
		"limit too big":   {Limit: queries.MaxLimit + 1},
		"negative limit":  {Limit: -1},
		"since = until":   {Since: day("2026-01-02"), Until: day("2026-01-02")},
		"since > until":   {Since: day("2026-01-03"), Until: day("2026-01-02")},
		"since > now":     {Since: future},
		"threshold":       {Threshold: -1},
		"injected period": {Period: "week' --"},
	} {
		_, err := queries.Run(ctx, db, "success-rate", p)
		if !errors.Is(err, queries.ErrBadParams) {
			t.Errorf("%s: err = %v, want ErrBadParams", name, err)
		}
	}
	if err := (queries.Params{Limit: queries.MaxLimit, Period: "day", Threshold: 1}).Validate(); err != nil {
		t.Errorf("valid params: %v", err)
	}
}

func TestRunSQL(t *testing.T) {
	db := openFixture(t, "success-rate")
	res, err := queries.RunSQL(context.Background(), db,
		"SELECT result_class, count(*) AS n FROM build_facts GROUP BY ALL ORDER BY result_class NULLS LAST")
	if err != nil {
		t.Fatal(err)
	}
	// success-rate.sql: pass 1,2,10,11,12; fail 3,4,13,20; excluded 5,6,7,9; running 8.
	want := [][]any{{"excluded", int64(4)}, {"fail", int64(4)}, {"pass", int64(5)}, {nil, int64(1)}}
	if len(res.Rows) != len(want) {
		t.Fatalf("rows = %v", res.Rows)
	}
	for i := range want {
		if !slices.Equal(res.Rows[i], want[i]) {
			t.Errorf("row %d = %v, want %v", i, res.Rows[i], want[i])
		}
	}
	if _, err := queries.RunSQL(context.Background(), db, "SELECT * FROM no_such_table"); err == nil {
		t.Error("bad SQL: no error")
	}
}

func TestViews(t *testing.T) {
	db := openFixture(t, "flaky-tests")
	ctx := context.Background()
	// test_runs is unfiltered: every result row of the fixture, A 6 + B 4 + C 4 + D 3 + E 2 =
	// 19. Failures: A 3 (b1, b5, b6), B 4, C 1, D 1 (error), E 1 = 10.
	var runs, fails int
	if err := db.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE is_fail) FROM test_runs").Scan(&runs, &fails); err != nil {
		t.Fatal(err)
	}
	if runs != 19 || fails != 10 {
		t.Errorf("test_runs: %d runs, %d failures; want 19, 10", runs, fails)
	}
	db2 := openFixture(t, "slowest-steps")
	var steps int
	var total float64
	// 11 step rows; durations: 5+100+200+3+900+7+300+2+60+9999 s (Weird has none) = 11576.
	if err := db2.QueryRowContext(ctx, "SELECT count(*), sum(duration_seconds) FROM step_runs").Scan(&steps, &total); err != nil {
		t.Fatal(err)
	}
	if steps != 11 || total != 11576 {
		t.Errorf("step_runs: %d rows, %v s; want 11, 11576", steps, total)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-01-01":                time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"2026-01-01T10:00:00+02:00": time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC),
		"2026-01-01T10:00:00":       time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		"30d":                       time.Date(2026, 2, 8, 12, 0, 0, 0, time.UTC),
		"2w":                        time.Date(2026, 2, 24, 12, 0, 0, 0, time.UTC),
		"12h":                       time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		"90m":                       time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC),
		"now":                       now,
	} {
		got, err := queries.ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-3d", "2026-13-01", "3x"} {
		if _, err := queries.ParseTime(bad, now); !errors.Is(err, queries.ErrBadParams) {
			t.Errorf("ParseTime(%q): err = %v, want ErrBadParams", bad, err)
		}
	}
}
