package export

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Querier is what PartitionDates needs of a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// PartitionDates returns the sorted, distinct partition dates (PartitionDateSQL) that the builds
// (slugs[i], nums[i]) have in the database now. A sync passes to Options.Dates the union of the
// dates its builds had before its write and after it: a build whose date changed (a queued_at that
// was NULL is now known) must leave its old partition as well as enter the new one.
func PartitionDates(ctx context.Context, q Querier, slugs []string, nums []int64) ([]string, error) {
	if len(slugs) != len(nums) {
		return nil, fmt.Errorf("%w: %d slugs for %d build numbers", errOptions, len(slugs), len(nums))
	}
	if len(slugs) == 0 {
		return []string{}, nil
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT CAST(%s AS VARCHAR) AS d FROM builds b
		JOIN (SELECT unnest(?::VARCHAR[]) AS project_slug, unnest(?::BIGINT[]) AS build_num) k
		ON b.project_slug = k.project_slug AND b.build_num = k.build_num ORDER BY d`, partitionDate("b")), slugs, nums)
	return scanDates(rows, err)
}

// DatesWrittenSince returns the sorted, distinct partition dates of the builds written at or after
// t (builds.extracted_at is the time of the sync batch that wrote the build and its child rows).
// A sync passes them to Options.Dates to catch up with runs whose export never happened.
func DatesWrittenSince(ctx context.Context, q Querier, t time.Time) ([]string, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT CAST(%s AS VARCHAR) AS d FROM builds b
		WHERE b.extracted_at >= ? ORDER BY d`, partitionDate("b")), t.UTC())
	return scanDates(rows, err)
}

// scanDates reads a one-column result of dates as text (never nil) and closes it.
func scanDates(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
	}
	defer rows.Close()
	dates := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
		}
		dates = append(dates, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: partition dates: %w", errExport, err)
	}
	return dates, nil
}
