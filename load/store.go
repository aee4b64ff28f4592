// Package load writes buildlake's tables into a DuckDB file. It knows nothing of the CircleCI API:
// it receives Arrow records whose field names are the table's column names.
package load

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

//go:embed schema.sql
var schemaSQL string

// SchemaSQL is the DDL of every table, as applied by Open.
func SchemaSQL() string { return schemaSQL }

var errOpen = errors.New("could not open database")

// Store is the single writer of one DuckDB file.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the DuckDB file at path and applies the schema.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errOpen, path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w %s: %w", errOpen, path, err)
	}
	return &Store{db: db}, nil
}

// DB returns the store's connection pool (one connection: the writer).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
