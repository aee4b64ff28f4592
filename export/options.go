package export

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultTables are the tables Export writes when Options.Tables is empty, in writing order.
var DefaultTables = []string{"projects", "builds", "steps", "artifacts", "tests"}

var (
	errOptions = errors.New("could not export: bad options")
	errExport  = errors.New("could not export")
)

// Options say what to export where. The zero value of each field means its documented default.
type Options struct {
	Dir    string    // root of the dataset: Dir/<table>/date=YYYY-MM-DD/[shard=K-of-N/]part-0.parquet
	Tables []string  // default DefaultTables
	Since  time.Time // only partitions whose date (UTC) is on or after Since's date; zero = everything
	// Dates are the YYYY-MM-DD partitions to (re)write; nil = every partition in range. The sync
	// pipeline passes the dates its run touched so that other partitions keep their bytes.
	Dates []string
	Shard Shard            // zero value = unsharded
	Now   func() time.Time // default time.Now; stamps Result
}

// TableResult counts what one table's export did.
type TableResult struct {
	Partitions int      // partition files written (projects: 1)
	Removed    int      // partition files deleted because the database no longer has rows for them
	Rows       int64    // rows written
	Bytes      int64    // bytes of the files written
	Dates      []string // the partitions written, in order
}

// Result summarizes one Export call.
type Result struct {
	Tables     map[string]TableResult
	StartedAt  time.Time
	FinishedAt time.Time
}

// Rows is the number of rows written over every table.
func (r Result) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

func (o *Options) normalize() error {
	if o.Dir == "" {
		return fmt.Errorf("%w: Dir is empty", errOptions)
	}
	if len(o.Tables) == 0 {
		o.Tables = DefaultTables
	}
	for _, t := range o.Tables {
		if !slices.Contains(DefaultTables, t) {
			return fmt.Errorf("%w: unknown table %q (known: %v)", errOptions, t, DefaultTables)
		}
	}
	for _, d := range o.Dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%w: date %q is not YYYY-MM-DD", errOptions, d)
		}
	}
	if err := o.Shard.validate(); err != nil {
		return fmt.Errorf("%w: %w", errOptions, err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// sinceDate is the first partition date in range, or "" for no lower bound.
func (o *Options) sinceDate() string {
	if o.Since.IsZero() {
		return ""
	}
	return o.Since.UTC().Format(time.DateOnly)
}

// inRange reports whether partition date d is one this export owns: on or after Since and, when
// Dates is set, listed in it.
func (o *Options) inRange(d string) bool {
	if s := o.sinceDate(); s != "" && d < s {
		return false
	}
	return o.Dates == nil || slices.Contains(o.Dates, d)
}
