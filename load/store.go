// Package load writes buildlake's tables into a DuckDB file. It knows nothing of the CircleCI API:
// it receives Arrow records whose field names are the table's column names (package transform
// builds them) and the sync bookkeeping (sync_state, sync_runs, sync_errors).
//
// A Store is the single writer of its file: Open takes an OS lock on <db>.lock first, so a second
// writer fails at once with ErrLocked. Store methods must be called from one goroutine at a time:
// the store has one DuckDB connection and DuckDB connections and appenders are not goroutine-safe.
package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

//go:embed schema.sql
var schemaSQL string

//go:embed migration2.sql
var migration2SQL string

//go:embed migration3.sql
var migration3SQL string

// SchemaSQL is the DDL of every table, as Open applies it: every migration in order.
func SchemaSQL() string { return strings.Join(migrations, "\n") }

// migrations are applied in order, each once, in one transaction with its schema_version row.
// Version n is migrations[n-1]. Append only: never edit a released migration.
var migrations = []string{
	schemaSQL,
	migration2SQL, // sync_pace
	migration3SQL, // export_marks, export_left_dates
}

var (
	errOpen    = errors.New("could not open database")
	errMigrate = errors.New("could not migrate database schema")
	errNewer   = errors.New("could not use database: its schema is newer than this buildlake")
)

// Store is the single writer of one DuckDB file.
type Store struct {
	db   *sql.DB
	lock *writerLock
	path string
	cols map[string][]string // table → column names in order, read after migrating
}

// Open opens (creating if needed) the DuckDB file at path for writing, takes the writer lock and
// creates or migrates the schema. If another process holds the file it fails at once with an
// error that errors.Is ErrLocked and names that process, without touching the database.
func Open(ctx context.Context, path string) (*Store, error) {
	lk, err := acquireLock(path)
	if err != nil {
		return nil, err
	}
	db, err := openWriter(ctx, path)
	if err != nil {
		lk.release()
		return nil, err
	}
	s := &Store{db: db, lock: lk, path: path}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.readColumns(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// readerWait is how long Open waits for readers (serve, sql, query) to let go of the file. Our
// own lock file already excludes other writers, so DuckDB's lock can only be a reader's, and
// readers hold it for the length of one query.
const readerWait = 5 * time.Second

// openWriter opens the file read-write, retrying while a reader process holds DuckDB's lock.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	deadline := time.Now().Add(readerWait)
	for {
		db, err := sql.Open("duckdb", path) // duckdb-go opens the file here already
		if err == nil {
			// One connection: DuckDB serializes writers anyway, and TEMP tables and
			// transactions are per-connection state.
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
			db.SetConnMaxLifetime(0)
			db.SetConnMaxIdleTime(0)
			if err = db.PingContext(ctx); err == nil {
				return db, nil
			}
			db.Close()
		}
		err = mapDuckLock(path, err)
		if !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			return nil, fmt.Errorf("%w %s: %w", errOpen, path, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w %s: %w", errOpen, path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// SchemaVersion is the schema version this build of buildlake writes.
func SchemaVersion() int { return len(migrations) }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("%w: %w", errMigrate, err)
	}
	var cur int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&cur); err != nil {
		return fmt.Errorf("%w: %w", errMigrate, err)
	}
	if cur > len(migrations) {
		return fmt.Errorf("%w (database version %d, known %d)", errNewer, cur, len(migrations))
	}
	for v := cur + 1; v <= len(migrations); v++ {
		err := s.inTx(ctx, func(conn *sql.Conn) error {
			if _, err := conn.ExecContext(ctx, migrations[v-1]); err != nil {
				return err
			}
			_, err := conn.ExecContext(ctx, `INSERT INTO schema_version VALUES (?, ?)`, v, time.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("%w to version %d: %w", errMigrate, v, err)
		}
	}
	return nil
}

// inTx runs fn on the writer connection inside one transaction: COMMIT if fn returns nil,
// ROLLBACK otherwise (also when ctx is cancelled: the rollback does not use ctx). A cancelled ctx
// can interrupt any statement, even BEGIN after it took effect, so every failure path rolls back;
// if even that fails the connection is discarded, never returned to the pool mid-transaction.
func (s *Store) inTx(ctx context.Context, fn func(conn *sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = func() error {
		if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		if err := fn(conn); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := conn.ExecContext(context.Background(), "COMMIT")
		return err
	}()
	if err != nil {
		rollback(conn)
	}
	return err
}

// rollback ends whatever transaction conn has open; "no transaction" is fine.
func rollback(conn *sql.Conn) {
	_, err := conn.ExecContext(context.Background(), "ROLLBACK")
	if err != nil && !strings.Contains(err.Error(), "no transaction is active") {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // discard the connection
	}
}

// OpenReadOnly opens the DuckDB file read-only (for sql, query, serve). It fails with an error
// that errors.Is ErrLocked while a writer holds the file: DuckDB lets no other process in then,
// so callers that must not fail (serve) retry briefly or show their last answer.
func OpenReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errOpen, path, mapDuckLock(path, err))
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w %s: %w", errOpen, path, mapDuckLock(path, err))
	}
	return db, nil
}

// DB returns the store's connection pool (one connection: the writer). Do not hold a connection
// or an open *sql.Rows from it while calling other Store methods: they need that connection.
func (s *Store) DB() *sql.DB { return s.db }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database (checkpointing it) and then releases the writer lock.
func (s *Store) Close() error {
	err := s.db.Close()
	return errors.Join(err, s.lock.release())
}

// readColumns caches each data table's column names in order; Write checks records against them.
func (s *Store) readColumns(ctx context.Context) error {
	s.cols = map[string][]string{}
	for t := range TableKeys() {
		cols, err := TableColumns(ctx, s.db, t)
		if err != nil {
			return fmt.Errorf("%w: %w", errOpen, err)
		}
		s.cols[t] = cols
	}
	return nil
}

// TableColumns returns the column names of table in order, as DuckDB reports them.
func TableColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s not found", table)
	}
	return cols, nil
}
