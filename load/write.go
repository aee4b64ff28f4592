package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

var (
	errWrite  = errors.New("could not write batch")
	errSchema = errors.New("record does not match table")
)

// ProjectState is one project's sync_state row: every build at or below HighWater is loaded,
// except the builds in Pending, which the next run must read again (unfinished, or failed to fetch).
type ProjectState struct {
	ProjectSlug string
	HighWater   int64
	Pending     []int64
	RunID       string
	UpdatedAt   time.Time // zero = time of the Write
	// BackfilledSince: every build queued at or after it (and at or below HighWater) is loaded
	// or pending. Zero = unknown (NULL).
	BackfilledSince time.Time
}

// SyncError is one sync_errors row. BuildNum 0 means the error concerns the whole project;
// ProjectSlug "" means it concerns the run. The text must already be free of secrets.
type SyncError struct {
	RunID, ProjectSlug string
	BuildNum           int64
	Stage, Error       string // stage: list | details | tests | artifacts | decode | load | …
	At                 time.Time
}

// Batch is what one Write commits atomically. A nil record leaves its table untouched. For the
// child tables (Steps, Artifacts, Tests) a non-nil record is the complete set of rows of each build
// in Builds and of each build the record itself mentions: the build's rows missing from the record
// are deleted and the others replaced, so a re-read build whose steps shrank loses the extra rows.
// An empty non-nil record therefore clears the rows of the builds in Builds.
type Batch struct {
	Projects, Builds, Steps, Artifacts, Tests arrow.RecordBatch
	State                                     []ProjectState // upserted in the same transaction as the rows
	Errors                                    []SyncError
	// LeftDates are the Parquet partition dates (YYYY-MM-DD) the batch's builds were in before
	// this write; they are noted in export_left_dates with LeftAt (zero = time of the Write) so
	// that a later export rewrites them even if this run never exports.
	LeftDates []string
	LeftAt    time.Time
}

// Counts is the number of rows each table received (after collapsing duplicate keys).
type Counts struct {
	Projects, Builds, Steps, Artifacts, Tests int64
}

// Write commits the batch in one transaction: every row, state and error, or nothing. Upserts are
// by natural key (TableKeys); rows repeating a key within the batch count once, the last wins.
func (s *Store) Write(ctx context.Context, b Batch) (Counts, error) {
	var c Counts
	err := s.inTx(ctx, func(conn *sql.Conn) error {
		var err error
		if c.Projects, err = s.upsert(ctx, conn, "projects", b.Projects); err != nil {
			return err
		}
		if b.Builds != nil && b.Builds.NumRows() > 0 {
			if c.Builds, err = s.replaceByBuild(ctx, conn, "builds", b.Builds, b.Builds); err != nil {
				return err
			}
		}
		for _, ch := range []struct {
			table string
			rec   arrow.RecordBatch
			n     *int64
		}{{"steps", b.Steps, &c.Steps}, {"artifacts", b.Artifacts, &c.Artifacts}, {"tests", b.Tests, &c.Tests}} {
			if ch.rec == nil {
				continue
			}
			// A child record is the complete set of rows of the batch's builds and of the
			// builds it names itself.
			if *ch.n, err = s.replaceByBuild(ctx, conn, ch.table, ch.rec, b.Builds, ch.rec); err != nil {
				return err
			}
		}
		if err := writeState(ctx, conn, b.State); err != nil {
			return err
		}
		if err := writeLeftDates(ctx, conn, b.LeftDates, b.LeftAt); err != nil {
			return err
		}
		return writeErrors(ctx, conn, b.Errors)
	})
	if err != nil {
		return Counts{}, fmt.Errorf("%w: %w", errWrite, err)
	}
	return c, nil
}

// prepared is a record checked against its table, with duplicate keys collapsed.
type prepared struct {
	gs   []getter
	rows []int // row indexes to write, in order
}

func (s *Store) prepare(table string, rec arrow.RecordBatch) (prepared, error) {
	cols := s.cols[table]
	gs, err := columnsOf(table, cols, rec)
	if err != nil {
		return prepared{}, err
	}
	rows, err := lastOfEachKey(table, rec, gs, keyIndexes(cols, TableKeys()[table]), int(rec.NumRows()))
	if err != nil {
		return prepared{}, err
	}
	return prepared{gs, rows}, nil
}

// appendRows feeds p's rows to a (which it closes, flushing with ctx).
func appendRows(ctx context.Context, a *duckdb.Appender, p prepared) error {
	vals := make([]driver.Value, len(p.gs))
	for n, i := range p.rows {
		if n%4096 == 0 && ctx.Err() != nil {
			a.Close()
			return ctx.Err()
		}
		for j, g := range p.gs {
			vals[j] = g(i)
		}
		if err := a.AppendRow(vals...); err != nil {
			a.Close()
			return err
		}
	}
	return a.CloseWithCancel(ctx)
}

// upsert writes rec into projects with INSERT OR REPLACE through a query appender: DuckDB runs
// the statement per appended chunk, no staging table needed.
func (s *Store) upsert(ctx context.Context, conn *sql.Conn, table string, rec arrow.RecordBatch) (int64, error) {
	if rec == nil || rec.NumRows() == 0 {
		return 0, nil
	}
	p, err := s.prepare(table, rec)
	if err != nil {
		return 0, err
	}
	q := "INSERT OR REPLACE INTO " + table + " SELECT * FROM appended_data"
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewTableAppender(dc.(driver.Conn), q, "", "", table, nil)
		if err != nil {
			return err
		}
		return appendRows(ctx, a, p)
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	return int64(len(p.rows)), nil
}

// replaceByBuild makes rec the complete set of table's rows for every build named in owners: it
// deletes every row of those builds, then appends rec's rows straight into the table. Only
// projects has a PRIMARY KEY (see schema.sql): keys stay unique because one writer replaces a
// build's rows whole in one transaction, and rows repeating a key within rec were collapsed by
// prepare.
//
// This is several times faster than INSERT OR REPLACE into PK'd tables (no ART index to maintain
// on VARCHAR keys, no staging table, two statements per table instead of five): see
// BenchmarkWriteGrowing and docs/benchmarks.md.
func (s *Store) replaceByBuild(ctx context.Context, conn *sql.Conn, table string, rec arrow.RecordBatch, owners ...arrow.RecordBatch) (int64, error) {
	p, err := s.prepare(table, rec)
	if err != nil {
		return 0, err
	}
	del := "DELETE FROM " + table + " USING appended_data d WHERE " + table + ".project_slug = d.slug AND " +
		table + ".build_num = d.num"
	if err := deleteByBuild(ctx, conn, table, del, owners...); err != nil {
		return 0, err
	}
	if len(p.rows) == 0 {
		return 0, nil
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "", "", table)
		if err != nil {
			return err
		}
		return appendRows(ctx, a, p)
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	return int64(len(p.rows)), nil
}

var keyTypes = func() []duckdb.TypeInfo {
	v, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	n, _ := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	return []duckdb.TypeInfo{v, n}
}()

// deleteByBuild runs the DELETE statement q, whose appended_data(slug, num) relation receives
// every distinct (project_slug, build_num) found in owners (nil records are skipped).
func deleteByBuild(ctx context.Context, conn *sql.Conn, table, q string, owners ...arrow.RecordBatch) error {
	type keyCols struct {
		slug, num getter
		n         int
	}
	var ks []keyCols
	for _, o := range owners {
		if o == nil || o.NumRows() == 0 {
			continue
		}
		slugCol, numCol := o.Schema().FieldIndices("project_slug"), o.Schema().FieldIndices("build_num")
		if len(slugCol) != 1 || len(numCol) != 1 {
			return fmt.Errorf("%w: %s: record lacks project_slug/build_num", errSchema, table)
		}
		slug, err := getterFor(o.Column(slugCol[0]))
		if err != nil {
			return err
		}
		num, err := getterFor(o.Column(numCol[0]))
		if err != nil {
			return err
		}
		ks = append(ks, keyCols{slug, num, int(o.NumRows())})
	}
	if len(ks) == 0 {
		return nil
	}
	seen := map[string]bool{}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewQueryAppender(dc.(driver.Conn), q, "appended_data", keyTypes, []string{"slug", "num"})
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		for _, k := range ks {
			for i := range k.n {
				sv, nv := k.slug(i), k.num(i)
				if sv == nil || nv == nil {
					continue
				}
				key := fmt.Sprint(sv, "\x00", nv)
				if seen[key] {
					continue
				}
				seen[key] = true
				if err := a.AppendRow(sv, nv); err != nil {
					a.Close()
					return fmt.Errorf("%s: %w", table, err)
				}
			}
		}
		if err := a.CloseWithCancel(ctx); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	})
}
