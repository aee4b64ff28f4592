package export

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// PartitionDateSQL is the partition date of a build, in DuckDB SQL over the builds table: the UTC
// date the build was queued. The first known of usage_queued_at (entered CircleCI's queue),
// queued_at, start_time and stop_time; a build with none of them (never queued: not_run, skipped)
// falls back to extracted_at, then to 1970-01-01, so that every row has a partition. Steps,
// artifacts and tests take the date of their build.
const PartitionDateSQL = "CAST(coalesce(usage_queued_at, queued_at, start_time, stop_time, extracted_at, TIMESTAMP '1970-01-01') AS DATE)"

// partitionDateColumns are the columns PartitionDateSQL takes the first non-NULL of, in order.
var partitionDateColumns = []string{"usage_queued_at", "queued_at", "start_time", "stop_time", "extracted_at"}

// partitionDate is PartitionDateSQL over the columns of table alias a ("" for none).
func partitionDate(a string) string {
	cols := make([]string, len(partitionDateColumns))
	for i, c := range partitionDateColumns {
		cols[i] = c
		if a != "" {
			cols[i] = a + "." + c
		}
	}
	return "CAST(coalesce(" + strings.Join(cols, ", ") + ", TIMESTAMP '1970-01-01') AS DATE)"
}

// shardFilter restricts alias a to the projects bound as the next parameter, or is TRUE.
func shardFilter(a string, sharded bool) string {
	if !sharded {
		return "TRUE"
	}
	return a + ".project_slug IN (SELECT unnest(?::VARCHAR[]))"
}

// selectList is the table's columns in schema order, timestamps as TIMESTAMPTZ so that Parquet
// marks them UTC-adjusted (INT64 micros, isAdjustedToUTC=true): warehouses then read them as
// instants (BigQuery TIMESTAMP, not DATETIME). The values are the stored UTC ones: the connection's
// TimeZone is UTC while exporting.
func selectList(ctx context.Context, conn *sql.Conn, table, alias string) (string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position`, table)
	if err != nil {
		return "", fmt.Errorf("%w: columns of %s: %w", errExport, table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", fmt.Errorf("%w: columns of %s: %w", errExport, table, err)
		}
		col := alias + "." + quoteIdent(name)
		if typ == "TIMESTAMP" {
			col = "CAST(" + col + " AS TIMESTAMPTZ) AS " + quoteIdent(name)
		}
		cols = append(cols, col)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("%w: columns of %s: %w", errExport, table, err)
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("%w: table %s has no columns (missing?)", errExport, table)
	}
	return strings.Join(cols, ", "), nil
}

// partitionedQuery selects the table's rows whose build falls on the dates bound as the last
// parameter, with the partition column "date" last.
func partitionedQuery(cols, table string, sharded bool) string {
	return fmt.Sprintf(`WITH keys AS (
	SELECT b.project_slug, b.build_num, %s AS date FROM builds b
	WHERE %s AND %s IN (SELECT CAST(unnest(?::VARCHAR[]) AS DATE)))
SELECT %s, keys.date FROM %s t
JOIN keys ON t.project_slug = keys.project_slug AND t.build_num = keys.build_num`,
		partitionDate("b"), shardFilter("b", sharded), partitionDate("b"), cols, quoteIdent(table))
}

// datesQuery lists the partition dates present in the database for the shard.
func datesQuery(sharded bool) string {
	return fmt.Sprintf("SELECT DISTINCT CAST(%s AS VARCHAR) AS d FROM builds b WHERE %s ORDER BY d",
		partitionDate("b"), shardFilter("b", sharded))
}

// copyOptions are the Parquet writer settings: zstd, and row groups of 122880 rows (DuckDB's own
// row group, a multiple of its 2048-row vectors) capped at 128 MiB, the size BigQuery, Spark and
// Trino split and prune well.
const copyOptions = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, ROW_GROUP_SIZE_BYTES '128MiB'"

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
