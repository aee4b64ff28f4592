package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var errExportMark = errors.New("could not use export marks")

// ExportMark returns when the last sync whose export into dir (and shard, "" unsharded) completed
// started; ok is false when none has.
func (s *Store) ExportMark(ctx context.Context, dir, shard string) (at time.Time, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT marked_at FROM export_marks WHERE dir = ? AND shard = ?`, dir, shard).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%w: %w", errExportMark, err)
	}
	return at.UTC(), true, nil
}

// SetExportMark records that an export into dir (shard) completed for the run that started at at.
func (s *Store) SetExportMark(ctx context.Context, dir, shard string, at time.Time, runID string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO export_marks VALUES (?, ?, ?, ?)`, dir, shard, at.UTC(), nullString(runID))
	if err != nil {
		return fmt.Errorf("%w: %w", errExportMark, err)
	}
	return nil
}

// LeftDatesSince returns the partition dates builds left at or after t (export_left_dates).
func (s *Store) LeftDatesSince(ctx context.Context, t time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT date FROM export_left_dates WHERE noted_at >= ? ORDER BY date`, t.UTC())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errExportMark, err)
	}
	defer rows.Close()
	dates := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("%w: %w", errExportMark, err)
		}
		dates = append(dates, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", errExportMark, err)
	}
	return dates, nil
}

// writeLeftDates notes the dates with one statement, keeping the latest noted_at per date.
func writeLeftDates(ctx context.Context, conn *sql.Conn, dates []string, at time.Time) error {
	if len(dates) == 0 {
		return nil
	}
	if at.IsZero() {
		at = time.Now()
	}
	args := make([]any, 0, 2*len(dates))
	for _, d := range dates {
		args = append(args, d, at.UTC())
	}
	q := "INSERT OR REPLACE INTO export_left_dates VALUES " + rowsOf("(?, ?)", len(dates))
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("export_left_dates: %w", err)
	}
	return nil
}

// HasExportMarks reports whether any sync has completed an export into some directory: only then
// must writes note the partitions they leave (before the first, an export rewrites everything).
func (s *Store) HasExportMarks(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM export_marks`).Scan(&n); err != nil {
		return false, fmt.Errorf("%w: %w", errExportMark, err)
	}
	return n > 0, nil
}
