package transform

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/buildlake/buildlake/extract"
)

// rowWriter appends one row at a time to a RecordBuilder, column by column in schema order, so the
// code that fills a table reads like its column list and cannot skip a column unnoticed (end checks).
type rowWriter struct {
	b *array.RecordBuilder
	i int
}

func (w *rowWriter) next() array.Builder {
	f := w.b.Field(w.i)
	w.i++
	return f
}

// end finishes a row; a column count mismatch is a programming error caught by the tests.
func (w *rowWriter) end() {
	if n := len(w.b.Fields()); w.i != n {
		panic(fmt.Sprintf("transform: row of %s has %d values, schema has %d columns", w.b.Schema().Field(0).Name, w.i, n))
	}
	w.i = 0
}

func (w *rowWriter) str(v string) { w.next().(*array.StringBuilder).Append(v) }

func (w *rowWriter) optStr(o extract.OptString) {
	b := w.next().(*array.StringBuilder)
	if o.Valid {
		b.Append(o.V)
	} else {
		b.AppendNull()
	}
}

// nullStr appends s, or NULL when s is empty.
func (w *rowWriter) nullStr(s string) { w.optStr(extract.OptString{V: s, Valid: s != ""}) }

func (w *rowWriter) i64(v int64) { w.next().(*array.Int64Builder).Append(v) }

func (w *rowWriter) optI64(o extract.OptInt) {
	b := w.next().(*array.Int64Builder)
	if o.Valid {
		b.Append(o.V)
	} else {
		b.AppendNull()
	}
}

func (w *rowWriter) i32(v int32) { w.next().(*array.Int32Builder).Append(v) }

// optI32 appends an int that fits INTEGER, else NULL (an out-of-range value is malformed).
func (w *rowWriter) optI32(o extract.OptInt) {
	b := w.next().(*array.Int32Builder)
	if o.Valid && o.V >= -1<<31 && o.V < 1<<31 {
		b.Append(int32(o.V))
	} else {
		b.AppendNull()
	}
}

func (w *rowWriter) optBool(o extract.OptBool) {
	b := w.next().(*array.BooleanBuilder)
	if o.Valid {
		b.Append(o.V)
	} else {
		b.AppendNull()
	}
}

func (w *rowWriter) bool(v bool) { w.next().(*array.BooleanBuilder).Append(v) }

func (w *rowWriter) ts(t time.Time) {
	w.next().(*array.TimestampBuilder).Append(arrow.Timestamp(t.UTC().UnixMicro()))
}

func (w *rowWriter) optTime(o extract.OptTime) {
	if o.Valid {
		w.ts(o.V)
		return
	}
	w.next().(*array.TimestampBuilder).AppendNull()
}
