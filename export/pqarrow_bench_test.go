//go:build duckdb_arrow

package export

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
)

func init() { benchPqarrow = pqarrowExport }

// pqarrowExport is the alternative BenchmarkExport measures against DuckDB's COPY: the same
// tables and partitions, read through DuckDB's Arrow interface one partition at a time and
// written by arrow-go's pqarrow with the same zstd and row group settings.
func pqarrowExport(ctx context.Context, conn *sql.Conn, dir string) (int64, error) {
	restore, err := tuneSession(ctx, conn)
	if err != nil {
		return 0, err
	}
	defer restore()
	e := &exporter{conn: conn, o: Options{Dir: dir}}
	dates, err := e.dates(ctx)
	if err != nil {
		return 0, err
	}
	// Column lists first: conn is not usable through database/sql inside Raw.
	cols := map[string]string{}
	for _, table := range []string{"projects", "builds", "steps"} {
		if cols[table], err = selectList(ctx, conn, table, "t"); err != nil {
			return 0, err
		}
	}
	var total int64
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		write := func(q, path string, args ...any) error {
			rdr, err := ar.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rdr.Release()
			n, err := writeArrowParquet(rdr, path)
			total += n
			return err
		}
		if err := write("SELECT "+cols["projects"]+" FROM projects t", filepath.Join(dir, "projects", "projects.parquet")); err != nil {
			return err
		}
		for _, table := range []string{"builds", "steps"} {
			q := partitionedQuery(cols[table], table, false)
			for _, d := range dates {
				if err := write(q, filepath.Join(dir, table, "date="+d, "part-0.parquet"), []string{d}); err != nil {
					return fmt.Errorf("%s %s: %w", table, d, err)
				}
			}
		}
		return nil
	})
	return total, err
}

func writeArrowParquet(rdr array.RecordReader, path string) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(122880), parquet.WithDictionaryDefault(true))
	w, err := pqarrow.NewFileWriter(rdr.Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return 0, err
	}
	var n int64
	for rdr.Next() {
		rec := rdr.RecordBatch()
		n += rec.NumRows()
		if err := w.WriteBuffered(rec); err != nil {
			return n, err
		}
	}
	if err := rdr.Err(); err != nil {
		return n, err
	}
	if err := w.Close(); err != nil { // closes f too
		return n, err
	}
	return n, syncFile(path)
}
