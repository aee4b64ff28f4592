package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var errState = errors.New("could not read sync state")

// writeState upserts the states with one statement (a sync batch touches up to every project:
// one statement per project cost a millisecond each).
func writeState(ctx context.Context, conn *sql.Conn, st []ProjectState) error {
	if len(st) == 0 {
		return nil
	}
	now := time.Now().UTC()
	args := make([]any, 0, 6*len(st))
	for _, p := range st {
		at := p.UpdatedAt
		if at.IsZero() {
			at = now
		}
		args = append(args, p.ProjectSlug, p.HighWater, listLiteral(p.Pending), nullString(p.RunID), at.UTC(), nullTime(p.BackfilledSince))
	}
	q := "INSERT OR REPLACE INTO sync_state VALUES " + rowsOf("(?, ?, CAST(? AS BIGINT[]), ?, ?, ?)", len(st))
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("sync_state: %w", err)
	}
	return nil
}

// writeErrors appends the errors with one statement.
func writeErrors(ctx context.Context, conn *sql.Conn, es []SyncError) error {
	if len(es) == 0 {
		return nil
	}
	now := time.Now().UTC()
	args := make([]any, 0, 6*len(es))
	for _, e := range es {
		at := e.At
		if at.IsZero() {
			at = now
		}
		var num any
		if e.BuildNum != 0 {
			num = e.BuildNum
		}
		args = append(args, e.RunID, nullString(e.ProjectSlug), num, nullString(e.Stage), e.Error, at.UTC())
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO sync_errors VALUES "+rowsOf("(?, ?, ?, ?, ?, ?)", len(es)), args...); err != nil {
		return fmt.Errorf("sync_errors: %w", err)
	}
	return nil
}

// rowsOf repeats one VALUES row n times, comma-separated.
func rowsOf(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// listLiteral renders a BIGINT[] literal such as [1,2,3]; binding it as text and casting avoids
// depending on the driver's list binding.
func listLiteral(ns []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, n := range ns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	b.WriteByte(']')
	return b.String()
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// States returns the sync_state of every project, by project_slug.
func (s *Store) States(ctx context.Context) (map[string]ProjectState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT project_slug, coalesce(high_water_build_num, 0), pending_builds, coalesce(last_run_id, ''), updated_at, backfilled_since FROM sync_state`)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errState, err)
	}
	defer rows.Close()
	out := map[string]ProjectState{}
	for rows.Next() {
		var p ProjectState
		var pending any
		var at, since sql.NullTime
		if err := rows.Scan(&p.ProjectSlug, &p.HighWater, &pending, &p.RunID, &at, &since); err != nil {
			return nil, fmt.Errorf("%w: %w", errState, err)
		}
		if l, ok := pending.([]any); ok {
			for _, v := range l {
				if n, ok := v.(int64); ok {
					p.Pending = append(p.Pending, n)
				}
			}
		}
		p.UpdatedAt = at.Time.UTC()
		if since.Valid {
			p.BackfilledSince = since.Time.UTC()
		}
		out[p.ProjectSlug] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", errState, err)
	}
	return out, nil
}
