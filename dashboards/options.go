// Package dashboards serves buildlake's one-page dashboard (KPIs, trends, flaky tests and jobs,
// slowest steps) and its JSON API over the canned queries, and writes the same page as one
// self-contained HTML file. Every asset is embedded in the binary: no CDN, no network at view time.
package dashboards

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// Options configure Handler and WriteStatic.
type Options struct {
	// DBPath is the DuckDB file, opened read-only per request (see OpenDB).
	DBPath string
	// Now is the clock used for default time ranges and "data as of" times; nil means time.Now.
	Now func() time.Time
	// Logger receives one line per failed request; nil discards.
	Logger *slog.Logger
	// OpenDB, when set, replaces opening DBPath: the scheduler passes its own store's DB because
	// a second open of a file that this process already holds read-write would fail. The
	// dashboard never closes a DB returned by OpenDB; its caller owns it.
	OpenDB func(ctx context.Context) (*sql.DB, error)
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}
