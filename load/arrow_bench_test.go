//go:build duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkWriteGrowingArrowView is BenchmarkWriteGrowing/new with the rows handed to DuckDB
// as an Arrow view (duckdb-go's Arrow interface, which needs -tags duckdb_arrow) instead of the
// Appender: the same DELETE by build, then INSERT … SELECT * FROM the view, one transaction.
// It tells whether the Go-side Appender or DuckDB's own insert limits Store.Write:
//
//	go test -tags duckdb_arrow -run '^$' -bench 'WriteGrowing' -benchtime 20x ./load/
func BenchmarkWriteGrowingArrowView(b *testing.B) {
	pre := benchEnv("BUILDLAKE_BENCH_PREFILL", 5000)
	per := benchEnv("BUILDLAKE_BENCH_BATCH", 250)
	stepsPer := benchEnv("BUILDLAKE_BENCH_STEPS", 20)
	ctx := context.Background()
	s, _ := openTemp(b)
	prefill(b, s, "github/acme/other", pre)
	next := 1
	var rows int64
	for b.Loop() {
		b.StopTimer()
		builds, steps := stepsBatch(b, s, "github/acme/api", next, per, stepsPer)
		next += per
		b.StartTimer()
		err := s.inTx(ctx, func(conn *sql.Conn) error {
			for _, x := range []struct {
				table string
				rec   arrow.RecordBatch
			}{{"builds", builds}, {"steps", steps}} {
				del := "DELETE FROM " + x.table + " USING appended_data d WHERE " + x.table + ".project_slug = d.slug AND " + x.table + ".build_num = d.num"
				if err := deleteByBuild(ctx, conn, x.table, del, builds); err != nil {
					return err
				}
				if err := insertArrow(ctx, conn, x.table, x.rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		rows += steps.NumRows()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "steps/s")
}

func insertArrow(ctx context.Context, conn *sql.Conn, table string, rec arrow.RecordBatch) error {
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return err
		}
		defer rdr.Release()
		release, err := ar.RegisterView(rdr, "buildlake_arrow_"+table)
		if err != nil {
			return err
		}
		defer release()
		_, err = dc.(driver.ExecerContext).ExecContext(ctx, "INSERT INTO "+table+" SELECT * FROM buildlake_arrow_"+table, nil)
		return err
	})
}
