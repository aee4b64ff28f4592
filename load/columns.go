package load

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TableKeys returns the natural key columns of every data table, in key order.
func TableKeys() map[string][]string {
	return map[string][]string{
		"projects":  {"project_slug"},
		"builds":    {"project_slug", "build_num"},
		"steps":     {"project_slug", "build_num", "step_index", "node_index"},
		"artifacts": {"project_slug", "build_num", "node_index", "path"},
		"tests":     {"project_slug", "build_num", "test_index"},
	}
}

// getter reads row i of one Arrow column as a value the DuckDB appender accepts (nil = NULL).
type getter func(i int) driver.Value

// getterFor maps an Arrow column to a getter. Only the types of the table contract are accepted
// (String, Int64, Int32, Boolean, Timestamp); anything else is a schema mismatch.
func getterFor(a arrow.Array) (getter, error) {
	switch c := a.(type) {
	case *array.String:
		return func(i int) driver.Value {
			if c.IsNull(i) {
				return nil
			}
			return strings.Clone(c.Value(i)) // the appender may keep it past the record's life
		}, nil
	case *array.Int64:
		return func(i int) driver.Value {
			if c.IsNull(i) {
				return nil
			}
			return c.Value(i)
		}, nil
	case *array.Int32:
		return func(i int) driver.Value {
			if c.IsNull(i) {
				return nil
			}
			return c.Value(i)
		}, nil
	case *array.Boolean:
		return func(i int) driver.Value {
			if c.IsNull(i) {
				return nil
			}
			return c.Value(i)
		}, nil
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return func(i int) driver.Value {
			if c.IsNull(i) {
				return nil
			}
			return c.Value(i).ToTime(unit).UTC()
		}, nil
	}
	return nil, fmt.Errorf("unsupported Arrow type %s", a.DataType())
}

// columnsOf builds getters for every column of rec, checking its field names against the table's
// columns (same names, same order: the appender fills columns by position).
func columnsOf(table string, want []string, rec arrow.RecordBatch) ([]getter, error) {
	fs := rec.Schema().Fields()
	if len(fs) != len(want) {
		return nil, fmt.Errorf("%w: %s record has %d columns, table has %d", errSchema, table, len(fs), len(want))
	}
	gs := make([]getter, len(fs))
	for i, f := range fs {
		if f.Name != want[i] {
			return nil, fmt.Errorf("%w: %s column %d is %q, table has %q", errSchema, table, i, f.Name, want[i])
		}
		g, err := getterFor(rec.Column(i))
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s: %w", errSchema, table, f.Name, err)
		}
		gs[i] = g
	}
	return gs, nil
}

// keyIndexes returns the positions of the key columns among cols.
func keyIndexes(cols, keys []string) []int {
	var idx []int
	for _, k := range keys {
		for i, c := range cols {
			if c == k {
				idx = append(idx, i)
			}
		}
	}
	return idx
}

// keyString renders the key of row i so rows can be compared; NUL cannot occur in a value's
// rendering of numbers, and in strings it is escaped by strconv.Quote.
func keyString(gs []getter, idx []int, i int) string {
	var b strings.Builder
	for _, k := range idx {
		switch v := gs[k](i).(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		case nil:
			b.WriteString("NULL")
		case time.Time:
			b.WriteString(v.Format(time.RFC3339Nano))
		default:
			fmt.Fprint(&b, v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// lastOfEachKey returns the rows to write: for rows sharing a key only the last one, in order,
// because one upsert statement may not touch a row twice. A NULL key part is an error.
func lastOfEachKey(table string, gs []getter, idx []int, n int) ([]int, error) {
	last := make(map[string]int, n)
	keys := make([]string, n)
	for i := range n {
		for _, k := range idx {
			if gs[k](i) == nil {
				return nil, fmt.Errorf("%w: %s row %d has a NULL key column", errSchema, table, i)
			}
		}
		keys[i] = keyString(gs, idx, i)
		last[keys[i]] = i
	}
	rows := make([]int, 0, len(last))
	for i := range n {
		if last[keys[i]] == i {
			rows = append(rows, i)
		}
	}
	return rows, nil
}
