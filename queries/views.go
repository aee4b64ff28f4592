package queries

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
)

const viewsFile = "views.sql"

//go:embed views.sql
var viewsSQL string

// ViewsSQL is the DDL of the ad-hoc views (build_facts, test_runs, step_runs).
func ViewsSQL() string { return viewsSQL }

// CreateViews creates or replaces the views for ad-hoc SQL. pipeline.Sync calls it at the start
// of every run, after load.Open has applied the schema; it needs a writable connection.
func CreateViews(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if _, err := db.ExecContext(ctx, viewsSQL); err != nil {
		return fmt.Errorf("%w: %w", errViews, err)
	}
	return nil
}
