package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkWriteSteps measures step rows/s with upsert semantics (every iteration rewrites the
// same 10,000 rows of 500 builds, so each write replaces existing rows), four ways:
//   - write: Store.Write as shipped (DELETE the builds' rows, then a plain Appender into steps);
//   - replace: the former design, on a copy of steps with its PRIMARY KEY: a query appender
//     running INSERT OR REPLACE per appended chunk (no deletion of vanished rows, so not even a
//     complete child write), to show what the ART index on VARCHAR keys costs;
//   - staging: Appender into a TEMP table, then DELETE all the builds' rows + INSERT … SELECT;
//   - insert: DELETE, then prepared multi-row INSERT statements of 100 rows.
func BenchmarkWriteSteps(b *testing.B) {
	const builds, stepsPer = 500, 20
	mk := func(s *Store) arrow.RecordBatch {
		rows := make([]map[string]any, 0, builds*stepsPer)
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for n := range builds {
			for i := range stepsPer {
				rows = append(rows, map[string]any{"project_slug": "github/acme/api", "build_num": n + 1, "step_index": i, "node_index": 0,
					"step_number": 100 + i, "name": "Run tests", "type": "test", "status": "success", "exit_code": 0,
					"start_time": at, "end_time": at.Add(time.Second), "run_time_millis": 1000, "failed": false, "has_output": true})
			}
		}
		return record(b, s.DB(), "steps", rows...)
	}
	run := func(b *testing.B, write func(ctx context.Context, s *Store, rec arrow.RecordBatch) error) {
		s, _ := openTemp(b)
		rec := mk(s)
		ctx := context.Background()
		if _, err := s.DB().ExecContext(ctx, "CREATE TABLE steps_pk AS FROM steps LIMIT 0; ALTER TABLE steps_pk ADD PRIMARY KEY (project_slug, build_num, step_index, node_index)"); err != nil {
			b.Fatal(err)
		}
		if err := write(ctx, s, rec); err != nil { // first load; the timed loop replaces
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			if err := write(ctx, s, rec); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rec.NumRows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		if n := count(b, s.DB(), "SELECT (SELECT count(*) FROM steps) + (SELECT count(*) FROM steps_pk)"); n != builds*stepsPer {
			b.Fatalf("steps = %d", n)
		}
	}
	b.Run("write", func(b *testing.B) {
		run(b, func(ctx context.Context, s *Store, rec arrow.RecordBatch) error {
			_, err := s.Write(ctx, Batch{Steps: rec})
			return err
		})
	})
	b.Run("replace", func(b *testing.B) {
		run(b, func(ctx context.Context, s *Store, rec arrow.RecordBatch) error {
			gs, err := columnsOf("steps", s.cols["steps"], rec)
			if err != nil {
				return err
			}
			return s.inTx(ctx, func(conn *sql.Conn) error {
				return conn.Raw(func(dc any) error {
					a, err := duckdb.NewTableAppender(dc.(driver.Conn), "INSERT OR REPLACE INTO steps_pk SELECT * FROM appended_data", "", "", "steps", nil)
					if err != nil {
						return err
					}
					vals := make([]driver.Value, len(gs))
					for i := range int(rec.NumRows()) {
						for j, g := range gs {
							vals[j] = g(i)
						}
						if err := a.AppendRow(vals...); err != nil {
							a.Close()
							return err
						}
					}
					return a.Close()
				})
			})
		})
	})
	b.Run("staging", func(b *testing.B) {
		run(b, func(ctx context.Context, s *Store, rec arrow.RecordBatch) error {
			gs, err := columnsOf("steps", s.cols["steps"], rec)
			if err != nil {
				return err
			}
			return s.inTx(ctx, func(conn *sql.Conn) error {
				if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE stage_steps AS SELECT * FROM steps LIMIT 0"); err != nil {
					return err
				}
				err := conn.Raw(func(dc any) error {
					a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage_steps")
					if err != nil {
						return err
					}
					vals := make([]driver.Value, len(gs))
					for i := range int(rec.NumRows()) {
						for j, g := range gs {
							vals[j] = g(i)
						}
						if err := a.AppendRow(vals...); err != nil {
							a.Close()
							return err
						}
					}
					return a.Close()
				})
				if err != nil {
					return err
				}
				if _, err := conn.ExecContext(ctx, "DELETE FROM steps USING (SELECT DISTINCT project_slug, build_num FROM stage_steps) d WHERE steps.project_slug = d.project_slug AND steps.build_num = d.build_num"); err != nil {
					return err
				}
				_, err = conn.ExecContext(ctx, "INSERT INTO steps SELECT * FROM stage_steps")
				return err
			})
		})
	})
	b.Run("insert", func(b *testing.B) {
		run(b, func(ctx context.Context, s *Store, rec arrow.RecordBatch) error {
			gs, err := columnsOf("steps", s.cols["steps"], rec)
			if err != nil {
				return err
			}
			const per = 100
			ph := "(" + strings.TrimSuffix(strings.Repeat("?,", len(gs)), ",") + ")"
			q := "INSERT INTO steps VALUES " + strings.TrimSuffix(strings.Repeat(ph+",", per), ",")
			return s.inTx(ctx, func(conn *sql.Conn) error {
				if _, err := conn.ExecContext(ctx, "DELETE FROM steps WHERE project_slug = 'github/acme/api'"); err != nil {
					return err
				}
				st, err := conn.PrepareContext(ctx, q)
				if err != nil {
					return err
				}
				defer st.Close()
				args := make([]any, 0, per*len(gs))
				n := int(rec.NumRows())
				for i := 0; i < n; i++ {
					for _, g := range gs {
						args = append(args, g(i))
					}
					if len(args) == cap(args) {
						if _, err := st.ExecContext(ctx, args...); err != nil {
							return err
						}
						args = args[:0]
					}
				}
				if len(args) > 0 { // 10,000 rows fill whole statements; a remainder would need its own
					return fmt.Errorf("%d rows left over", len(args)/len(gs))
				}
				return nil
			})
		})
	})
}

// BenchmarkWriteSmallBatch measures the fixed cost of one Write (one build, 20 steps, state):
// the commit dominates, so callers should batch builds rather than write them one by one.
func BenchmarkWriteSmallBatch(b *testing.B) {
	s, _ := openTemp(b)
	db := s.DB()
	var steps []map[string]any
	for i := range 20 {
		steps = append(steps, step("github/a/x", 1, i, 0, "s"))
	}
	bt := Batch{Builds: record(b, db, "builds", build("github/a/x", 1, "success")), Steps: record(b, db, "steps", steps...),
		State: []ProjectState{{ProjectSlug: "github/a/x", HighWater: 1, Pending: []int64{1}}}}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Write(ctx, bt); err != nil {
			b.Fatal(err)
		}
	}
}
