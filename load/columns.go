package load

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/maphash"
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
			return c.Value(i) // DuckDB copies it into its vector: no clone needed
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
// because a child build's rows are written whole and must not repeat a key. A NULL key part is an
// error. Most batches have no repeated key, so a 64-bit hash of each key finds that out without
// building strings; only when two hashes meet are the keys compared exactly.
func lastOfEachKey(table string, rec arrow.RecordBatch, gs []getter, idx []int, n int) ([]int, error) {
	hs := make(map[uint64]struct{}, n)
	var h maphash.Hash
	var buf [8]byte
	repeated := false
	for i := range n {
		h.Reset()
		for _, k := range idx {
			col := rec.Column(k)
			if col.IsNull(i) {
				return nil, fmt.Errorf("%w: %s row %d has a NULL key column", errSchema, table, i)
			}
			switch c := col.(type) {
			case *array.String:
				v := c.Value(i)
				binary.LittleEndian.PutUint64(buf[:], uint64(len(v)))
				h.Write(buf[:])
				h.WriteString(v)
			case *array.Int64:
				binary.LittleEndian.PutUint64(buf[:], uint64(c.Value(i)))
				h.Write(buf[:])
			case *array.Int32:
				binary.LittleEndian.PutUint64(buf[:], uint64(c.Value(i)))
				h.Write(buf[:])
			default:
				repeated = true // another key type: take the exact path
			}
		}
		sum := h.Sum64()
		if _, ok := hs[sum]; ok {
			repeated = true
		}
		hs[sum] = struct{}{}
	}
	if !repeated {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		return rows, nil
	}
	last := make(map[string]int, n)
	keys := make([]string, n)
	for i := range n {
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
