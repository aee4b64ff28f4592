package load

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The load tests build their Arrow records from the live table definitions, so they do not depend
// on package transform (whose own tests check its schemas against the same DDL).

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "b.duckdb")
	s, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

// tableSchema maps a table's DuckDB column types to the Arrow types of the table contract.
func tableSchema(db *sql.DB, table string) (*arrow.Schema, error) {
	rows, err := db.Query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fs []arrow.Field
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		var dt arrow.DataType
		switch typ {
		case "VARCHAR":
			dt = arrow.BinaryTypes.String
		case "BIGINT":
			dt = arrow.PrimitiveTypes.Int64
		case "INTEGER":
			dt = arrow.PrimitiveTypes.Int32
		case "BOOLEAN":
			dt = arrow.FixedWidthTypes.Boolean
		case "TIMESTAMP":
			dt = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
		default:
			return nil, fmt.Errorf("column %s.%s: unexpected type %s", table, name, typ)
		}
		fs = append(fs, arrow.Field{Name: name, Type: dt, Nullable: true})
	}
	return arrow.NewSchema(fs, nil), rows.Err()
}

// record builds a record of table from rows given as column→value maps; missing columns are NULL.
// The record is released when the test ends.
func record(t testing.TB, db *sql.DB, table string, rows ...map[string]any) arrow.RecordBatch {
	t.Helper()
	rec, err := newRecord(db, table, rows...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Release)
	return rec
}

func newRecord(db *sql.DB, table string, rows ...map[string]any) (arrow.RecordBatch, error) {
	sc, err := tableSchema(db, table)
	if err != nil {
		return nil, err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, r := range rows {
		for i, f := range sc.Fields() {
			v, ok := r[f.Name]
			fb := b.Field(i)
			if !ok || v == nil {
				fb.AppendNull()
				continue
			}
			switch x := fb.(type) {
			case *array.StringBuilder:
				x.Append(v.(string))
			case *array.Int64Builder:
				x.Append(int64(v.(int)))
			case *array.Int32Builder:
				x.Append(int32(v.(int)))
			case *array.BooleanBuilder:
				x.Append(v.(bool))
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func count(t testing.TB, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func build(slug string, num int, status string) map[string]any {
	return map[string]any{"project_slug": slug, "build_num": num, "status": status,
		"queued_at": time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func step(slug string, num, idx, node int, name string) map[string]any {
	return map[string]any{"project_slug": slug, "build_num": num, "step_index": idx, "node_index": node, "name": name}
}
