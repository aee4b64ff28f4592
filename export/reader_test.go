package export

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// keyColumns are each table's natural key (SPEC section 3).
var keyColumns = map[string][]string{
	"projects":  {"project_slug"},
	"builds":    {"project_slug", "build_num"},
	"steps":     {"project_slug", "build_num", "step_index", "node_index"},
	"artifacts": {"project_slug", "build_num", "node_index", "path"},
	"tests":     {"project_slug", "build_num", "test_index"},
}

// row is one table row rendered as text per column ("NULL" for null, RFC 3339 UTC with
// microseconds for timestamps), so that two readers' rows compare with ==.
type row map[string]string

func (r row) key(table string) string {
	var parts []string
	for _, c := range keyColumns[table] {
		parts = append(parts, r[c])
	}
	return strings.Join(parts, "|")
}

func renderTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// readParquetFile reads every row of one file with parquet-go, checking that timestamps are
// INT64 micros adjusted to UTC and that every column chunk is zstd.
func readParquetFile(t *testing.T, path string) []row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	leaves := pf.Metadata().Schema[1:]
	for _, rg := range pf.Metadata().RowGroups {
		for _, cc := range rg.Columns {
			if cc.MetaData.Codec != format.Zstd && rg.NumRows > 0 {
				t.Errorf("%s: column %v codec %v, want zstd", path, cc.MetaData.PathInSchema, cc.MetaData.Codec)
			}
		}
	}
	var out []row
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := rows.ReadRows(buf)
			for _, pr := range buf[:n] {
				r := row{}
				for _, v := range pr {
					el := leaves[v.Column()]
					r[el.Name] = renderValue(t, el, v)
				}
				out = append(out, r)
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return out
}

func renderValue(t *testing.T, el format.SchemaElement, v parquet.Value) string {
	if v.IsNull() {
		return "NULL"
	}
	if ts, ok := el.LogicalType.Value.(*format.TimestampType); ok {
		if !ts.IsAdjustedToUTC {
			t.Errorf("column %s: timestamp not adjusted to UTC", el.Name)
		}
		if _, micros := ts.Unit.Value.(*format.MicroSeconds); !micros {
			t.Errorf("column %s: timestamp unit %v, want micros", el.Name, ts.Unit)
		}
		return renderTime(time.UnixMicro(v.Int64()))
	}
	switch v.Kind() {
	case parquet.Boolean:
		return fmt.Sprint(v.Boolean())
	case parquet.Int32:
		return fmt.Sprint(v.Int32())
	case parquet.Int64:
		return fmt.Sprint(v.Int64())
	case parquet.ByteArray:
		return string(v.ByteArray())
	}
	t.Fatalf("column %s: unexpected kind %v", el.Name, v.Kind())
	return ""
}

// readDataset reads every visible .parquet file of table under dir with parquet-go, adding the
// hive partition columns (date, shard) from the path. It fails the test on a visible file that
// is not a readable Parquet file.
func readDataset(t *testing.T, dir, table string) []row {
	t.Helper()
	var out []row
	root := filepath.Join(dir, table)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() && p != root && isHidden(d.Name()) {
			return filepath.SkipDir
		}
		if d.IsDir() || isHidden(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		for _, r := range readParquetFile(t, p) {
			for _, part := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
				if k, v, ok := strings.Cut(part, "="); ok {
					r[k] = v
				}
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isHidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") }

// visibleFiles lists the files under dir a reader would see, relative to dir.
func visibleFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && isHidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// readDuckDB reads a table from DuckDB rendered like readParquetFile's rows, plus the partition
// date of the row's build for the partitioned tables.
func readDuckDB(t *testing.T, db *sql.DB, table string) []row {
	t.Helper()
	q := "SELECT t.* FROM " + table + " t"
	if table != "projects" {
		q = "SELECT t.*, CAST(" + partitionDate("b") + " AS VARCHAR) AS date FROM " + table +
			" t JOIN builds b USING (project_slug, build_num)"
	}
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := row{}
		for i, c := range cols {
			switch v := vals[i].(type) {
			case nil:
				r[c] = "NULL"
			case time.Time:
				r[c] = renderTime(v)
			default:
				r[c] = fmt.Sprint(v)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// byKey indexes rows by key, failing on a duplicate key.
func byKey(t *testing.T, table string, rows []row) map[string]row {
	t.Helper()
	m := map[string]row{}
	for _, r := range rows {
		k := r.key(table)
		if _, dup := m[k]; dup {
			t.Errorf("%s: duplicate key %s", table, k)
		}
		m[k] = r
	}
	return m
}

// sameRows reports the first difference between two row sets of table (ignoring the shard
// column), or "".
func sameRows(t *testing.T, table string, got, want []row) string {
	t.Helper()
	g, w := byKey(t, table, got), byKey(t, table, want)
	if len(got) != len(want) {
		return fmt.Sprintf("%s: %d rows, want %d", table, len(got), len(want))
	}
	for k, wr := range w {
		gr, ok := g[k]
		if !ok {
			return fmt.Sprintf("%s: missing key %s", table, k)
		}
		for c, wv := range wr {
			if gr[c] != wv {
				return fmt.Sprintf("%s %s: column %s = %q, want %q", table, k, c, gr[c], wv)
			}
		}
		for c := range gr {
			if _, ok := wr[c]; !ok && c != "shard" {
				return fmt.Sprintf("%s %s: unexpected column %s", table, k, c)
			}
		}
	}
	return ""
}
