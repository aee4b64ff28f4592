package queries

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"time"
	"unicode/utf8"
)

// DBTX is what Run needs of a database: *sql.DB, *sql.Conn and *sql.Tx all satisfy it.
type DBTX interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// Result is a query's answer. Cells are nil, bool, int64, float64, string, time.Time (UTC), or
// for nested DuckDB types whatever the driver returned.
type Result struct {
	Columns []string
	Rows    [][]any
	// types are the DuckDB type names of the columns (DATE prints without a time of day).
	types []string
}

// Run runs the canned query called name with p (zero fields take the query's defaults).
func Run(ctx context.Context, db DBTX, name string, p Params) (*Result, error) {
	return run(ctx, db, name, p, false)
}

// RunAll is Run without a row limit (p.Limit is ignored): for callers that reduce every row of
// the answer themselves, such as the dashboard's charts, which must not lose the projects that
// sort last.
func RunAll(ctx context.Context, db DBTX, name string, p Params) (*Result, error) {
	p.Limit = 0
	return run(ctx, db, name, p, true)
}

func run(ctx context.Context, db DBTX, name string, p Params, unlimited bool) (*Result, error) {
	q, ok := Get(name)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownQuery, name)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.withDefaults(name, time.Now())
	if err := p.Validate(); err != nil { // since may now be after the defaulted until
		return nil, err
	}
	if unlimited {
		p.Limit = math.MaxInt64
	}
	res, err := collect(ctx, db, q.SQL, p.args(q.Params)...)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errRun, name, err)
	}
	return res, nil
}

// RunSQL runs one ad-hoc statement (for `buildlake sql`).
func RunSQL(ctx context.Context, db DBTX, sqlText string) (*Result, error) {
	res, err := collect(ctx, db, sqlText)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRun, err)
	}
	return res, nil
}

func collect(ctx context.Context, db DBTX, text string, args ...any) (*Result, error) {
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return ReadRows(rows)
}

// ReadRows reads every row into a Result, mapping the driver's scalar types onto the few a
// Result holds. It does not close rows.
func ReadRows(rows *sql.Rows) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: make([]string, len(cols)), types: make([]string, len(cols)), Rows: [][]any{}}
	for i, c := range cols {
		res.Columns[i] = c.Name()
		res.types[i] = c.DatabaseTypeName()
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = normalize(v)
		}
		res.Rows = append(res.Rows, vals)
	}
	return res, rows.Err()
}

// normalize maps the driver's many scalar types onto the few a Result holds.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return float64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case time.Time:
		return x.UTC()
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return fmt.Sprintf("%x", x)
	case interface{ Float64() float64 }: // duckdb.Decimal
		return x.Float64()
	case fmt.Stringer: // duckdb.UUID, intervals
		return x.String()
	}
	return v
}
