package dashboards

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// batchInserter collects fixture rows per (table, columns) and writes them with multi-row
// INSERTs: row-at-a-time inserts into DuckDB would make the fixture slow.
type batchInserter struct {
	rows map[string][][]any
}

func newBatchInserter() *batchInserter { return &batchInserter{rows: map[string][][]any{}} }

func (b *batchInserter) add(table, columns string, vals ...any) {
	k := table + "(" + columns + ")"
	b.rows[k] = append(b.rows[k], vals)
}

func (b *batchInserter) flush(ctx context.Context, db *sql.DB) error {
	keys := make([]string, 0, len(b.rows))
	for k := range b.rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows := b.rows[k]
		for start := 0; start < len(rows); start += 200 {
			chunk := rows[start:min(start+200, len(rows))]
			var sb strings.Builder
			args := []any{}
			fmt.Fprintf(&sb, "INSERT INTO %s VALUES ", k)
			for i, r := range chunk {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")")
				args = append(args, r...)
			}
			if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("insert %s: %w", k, err)
			}
		}
	}
	return nil
}
