// Package export writes buildlake's tables as hive-partitioned Parquet for warehouses:
// Dir/<table>/date=YYYY-MM-DD/[shard=K-of-N/]part-0.parquet, partitioned on the build's queue
// date (PartitionDateSQL), and Dir/projects/[shard=K-of-N/]projects.parquet.
//
// Each partition is one file, written by DuckDB's COPY into a hidden staging directory, fsynced,
// then renamed over the previous file: a reader sees the old partition or the new one, never a
// partial file, and a crash leaves only hidden staging files, removed by the next export.
package export

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// datesPerCopy bounds how many partitions one COPY writes at once: DuckDB keeps a writer with a
// row group buffer open per partition, so this bounds memory (and stays under DuckDB's
// partitioned_write_max_open_files, 100, beyond which a partition would be split over files).
const datesPerCopy = 16

// Export writes the tables of db under o.Dir. db may be read-only. It replaces every partition in
// range (Since, Dates, Shard) whole and deletes those in range that no longer have rows.
func Export(ctx context.Context, db *sql.DB, o Options) (Result, error) {
	if err := o.normalize(); err != nil {
		return Result{}, err
	}
	res := Result{Tables: map[string]TableResult{}, StartedAt: o.Now()}
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("%w: %w", errExport, err)
	}
	defer conn.Close()
	restore, err := tuneSession(ctx, conn)
	if err != nil {
		return res, err
	}
	defer restore()

	e := &exporter{conn: conn, o: o}
	if o.Shard.Sharded() {
		if e.slugs, err = shardSlugs(ctx, conn, o.Shard); err != nil {
			return res, err
		}
	}
	for _, table := range o.Tables {
		var tr TableResult
		if table == "projects" {
			tr, err = e.projects(ctx)
		} else {
			tr, err = e.partitioned(ctx, table)
		}
		if err != nil {
			return res, err
		}
		res.Tables[table] = tr
	}
	res.FinishedAt = o.Now()
	return res, nil
}

// exporter holds what every table's export shares.
type exporter struct {
	conn  *sql.Conn
	o     Options
	slugs []string // the shard's projects, when sharded
}

// shardArgs are the leading query parameters: the shard's project list, when sharded.
func (e *exporter) shardArgs() []any {
	if !e.o.Shard.Sharded() {
		return nil
	}
	return []any{e.slugs}
}

// shardSlugs lists the projects (from projects and builds) that shard s contains.
func shardSlugs(ctx context.Context, conn *sql.Conn, s Shard) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT project_slug FROM projects UNION SELECT DISTINCT project_slug FROM builds")
	if err != nil {
		return nil, fmt.Errorf("%w: projects: %w", errExport, err)
	}
	defer rows.Close()
	slugs := []string{}
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, fmt.Errorf("%w: projects: %w", errExport, err)
		}
		if s.Contains(slug) {
			slugs = append(slugs, slug)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: projects: %w", errExport, err)
	}
	slices.Sort(slugs)
	return slugs, nil
}

// projects writes the unpartitioned projects table.
func (e *exporter) projects(ctx context.Context) (tr TableResult, err error) {
	cols, err := selectList(ctx, e.conn, "projects", "t")
	if err != nil {
		return tr, err
	}
	p := e.paths("projects")
	if err := p.resetStaging(); err != nil {
		return tr, err
	}
	defer p.removeStagingOnError(&err)
	staged := p.staging + "/projects.tmp"
	q := fmt.Sprintf("COPY (SELECT %s FROM projects t WHERE %s) TO %s (%s)",
		cols, shardFilter("t", e.o.Shard.Sharded()), quoteLiteral(staged), copyOptions)
	r, err := e.conn.ExecContext(ctx, q, e.shardArgs()...)
	if err != nil {
		return tr, fmt.Errorf("%w: projects: %w", errExport, err)
	}
	tr.Rows, _ = r.RowsAffected()
	n, err := p.publish(staged, p.projectsFile())
	if err != nil {
		return tr, err
	}
	tr.Partitions, tr.Bytes = 1, n
	return tr, p.removeStaging()
}

// partitioned writes a date-partitioned table, a batch of dates per COPY, publishing each batch's
// partitions as soon as they are written.
func (e *exporter) partitioned(ctx context.Context, table string) (tr TableResult, err error) {
	cols, err := selectList(ctx, e.conn, table, "t")
	if err != nil {
		return tr, err
	}
	p := e.paths(table)
	if err := p.resetStaging(); err != nil {
		return tr, err
	}
	defer p.removeStagingOnError(&err)
	dbDates, err := e.dates(ctx)
	if err != nil {
		return tr, err
	}
	q := partitionedQuery(cols, table, e.o.Shard.Sharded())
	written := map[string]bool{}
	for batch := range slices.Chunk(dbDates, datesPerCopy) {
		stage := fmt.Sprintf("%s/batch-%s", p.staging, batch[0])
		copySQL := fmt.Sprintf("COPY (%s) TO %s (%s, PARTITION_BY (date), FILENAME_PATTERN 'part_{i}', FILE_EXTENSION 'tmp')",
			q, quoteLiteral(stage), copyOptions)
		r, err := e.conn.ExecContext(ctx, copySQL, append(e.shardArgs(), batch)...)
		if err != nil {
			return tr, fmt.Errorf("%w: %s: %w", errExport, table, err)
		}
		n, _ := r.RowsAffected()
		tr.Rows += n
		staged, err := stagedPartitions(stage)
		if err != nil {
			return tr, err
		}
		for _, sp := range staged {
			if err := ctx.Err(); err != nil {
				return tr, fmt.Errorf("%w: %s: %w", errExport, table, err)
			}
			size, err := p.publish(sp.file, p.partitionFile(sp.date))
			if err != nil {
				return tr, err
			}
			written[sp.date] = true
			tr.Partitions++
			tr.Bytes += size
			tr.Dates = append(tr.Dates, sp.date)
		}
	}
	// Partitions in range with no rows left (builds deleted, or moved to another date): a stale
	// file would duplicate or resurrect rows.
	onDisk, err := p.publishedDates()
	if err != nil {
		return tr, err
	}
	for _, d := range onDisk {
		if written[d] || !e.o.inRange(d) {
			continue
		}
		if err := p.remove(d); err != nil {
			return tr, err
		}
		tr.Removed++
	}
	return tr, p.removeStaging()
}

// dates lists the partition dates in the database that this export owns.
func (e *exporter) dates(ctx context.Context) ([]string, error) {
	rows, err := e.conn.QueryContext(ctx, datesQuery(e.o.Shard.Sharded()), e.shardArgs()...)
	if err != nil {
		return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
	}
	defer rows.Close()
	var dates []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
		}
		if e.o.inRange(d) {
			dates = append(dates, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
	}
	return dates, nil
}
