package transform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/buildlake/buildlake/extract"
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func readBuild(t *testing.T, name string) extract.Build {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b extract.Build
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// val reads column name of row i as a plain Go value: string, int64, bool, time.Time, or nil.
func val(t *testing.T, rec arrow.RecordBatch, name string, i int) any {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %q", name)
	}
	c := rec.Column(idx[0])
	if c.IsNull(i) {
		return nil
	}
	switch a := c.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(arrow.Microsecond)
	}
	t.Fatalf("column %q: unexpected type %s", name, c.DataType())
	return nil
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// row returns row i of rec as column → value, for comparing whole rows in failures.
func row(t *testing.T, rec arrow.RecordBatch, i int) map[string]any {
	m := map[string]any{}
	for _, f := range rec.Schema().Fields() {
		m[f.Name] = val(t, rec, f.Name, i)
	}
	return m
}
