package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/transform"
)

// referenceSQL is what DuckDB alone does with the same raw build-details bodies: read_json over
// the newline-delimited file, unnest steps and actions, INSERT the builds and steps rows. It is
// the yardstick for our decode + transform + load (issue 9: within 2×). It fills fewer builds
// columns than transform does (no derived columns), so it is a lower bound on the work.
const referenceSQL = `
INSERT INTO builds (project_slug, build_num, vcs_type, username, reponame, branch, vcs_revision,
    status, outcome, lifecycle, parallel, job_name, usage_queued_at, queued_at, start_time,
    stop_time, build_time_millis)
SELECT vcs_type || '/' || username || '/' || reponame, build_num, vcs_type, username, reponame,
    branch, vcs_revision, status, outcome, lifecycle, parallel,
    coalesce(workflows.job_name, 'build'), usage_queued_at, queued_at, start_time, stop_time,
    build_time_millis
FROM read_json(%[1]s, format = 'newline_delimited', columns = %[2]s);

INSERT INTO steps
SELECT slug, build_num, si - 1, coalesce(a.index, 0), a.step, coalesce(a.name, s.name), a.type,
    a.status, a.exit_code, a.start_time, a.end_time, a.run_time_millis, a.failed, a.timedout,
    a.canceled, a.infrastructure_fail, a.background, a.has_output
FROM (
    SELECT slug, build_num, si, s, unnest(s.actions) AS a
    FROM (
        SELECT vcs_type || '/' || username || '/' || reponame AS slug, build_num,
            unnest(steps) AS s, generate_subscripts(steps, 1) AS si
        FROM read_json(%[1]s, format = 'newline_delimited', columns = %[2]s)
    )
);`

// referenceColumns types the fields read_json needs (others are skipped, as transform skips them).
const referenceColumns = `{vcs_type: 'VARCHAR', username: 'VARCHAR', reponame: 'VARCHAR',
    build_num: 'BIGINT', branch: 'VARCHAR', vcs_revision: 'VARCHAR', status: 'VARCHAR',
    outcome: 'VARCHAR', lifecycle: 'VARCHAR', parallel: 'INTEGER',
    workflows: 'STRUCT(job_name VARCHAR)', usage_queued_at: 'TIMESTAMP', queued_at: 'TIMESTAMP',
    start_time: 'TIMESTAMP', stop_time: 'TIMESTAMP', build_time_millis: 'BIGINT',
    steps: 'STRUCT(name VARCHAR, actions STRUCT("index" BIGINT, step INTEGER, name VARCHAR,
        type VARCHAR, status VARCHAR, exit_code INTEGER, start_time TIMESTAMP,
        end_time TIMESTAMP, run_time_millis BIGINT, failed BOOLEAN, timedout BOOLEAN,
        canceled BOOLEAN, infrastructure_fail BOOLEAN, background BOOLEAN,
        has_output BOOLEAN)[])[]'}`

// loadTiming is one way of loading the raw bodies into a fresh database.
type loadTiming struct {
	Decode, Load  time.Duration // Decode is zero for the reference (read_json does both)
	Builds, Steps int64
}

// referenceLoad loads rawPath with DuckDB alone into a fresh database at dbPath.
func referenceLoad(ctx context.Context, rawPath, dbPath string) (loadTiming, error) {
	st, err := load.Open(ctx, dbPath)
	if err != nil {
		return loadTiming{}, err
	}
	defer st.Close()
	q := fmt.Sprintf(referenceSQL, "'"+strings.ReplaceAll(rawPath, "'", "''")+"'", referenceColumns)
	start := time.Now()
	if _, err := st.DB().ExecContext(ctx, "BEGIN TRANSACTION;"+q+"COMMIT"); err != nil {
		return loadTiming{}, fmt.Errorf("read_json reference: %w", err)
	}
	t := loadTiming{Load: time.Since(start)}
	err = st.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM builds), (SELECT count(*) FROM steps)`).Scan(&t.Builds, &t.Steps)
	return t, err
}

// ourLoad decodes the same bodies as extract does, then transforms and writes them as the
// pipeline does (batches of batch builds, one transaction each) into a fresh database.
func ourLoad(ctx context.Context, rawPath, dbPath string, batch int) (loadTiming, error) {
	f, err := os.Open(rawPath)
	if err != nil {
		return loadTiming{}, err
	}
	defer f.Close()
	st, err := load.Open(ctx, dbPath)
	if err != nil {
		return loadTiming{}, err
	}
	defer st.Close()
	var t loadTiming
	var in []transform.Input
	now := time.Now()
	write := func() error {
		if len(in) == 0 {
			return nil
		}
		start := time.Now()
		tb, err := transform.Transform(nil, now, in)
		if err != nil {
			return err
		}
		defer tb.Release()
		c, err := st.Write(ctx, load.Batch{Builds: tb.Builds, Steps: tb.Steps})
		if err != nil {
			return err
		}
		t.Load += time.Since(start)
		t.Builds += c.Builds
		t.Steps += c.Steps
		in = in[:0]
		return nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		start := time.Now()
		b, err := extract.DecodeBuild(bytes.Clone(sc.Bytes()))
		t.Decode += time.Since(start)
		if err != nil {
			return t, err
		}
		in = append(in, transform.Input{Build: b, HaveSteps: true})
		if len(in) >= batch {
			if err := write(); err != nil {
				return t, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return t, err
	}
	return t, write()
}
