package export

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// exportMemoryLimit caps DuckDB's buffer manager while exporting: with the row group buffers of
// datesPerCopy open partition writers, the process stays under 1 GiB (docs/benchmarks.md).
const exportMemoryLimit = 512 << 20

// tuneSession sets the connection up for exporting and returns the function that puts the
// previous settings back (memory_limit and preserve_insertion_order are database-wide, and the
// caller's pipeline may share the database):
//   - TimeZone UTC, so TIMESTAMP → TIMESTAMPTZ keeps the stored UTC instants;
//   - preserve_insertion_order false, which lets DuckDB stream instead of buffering to keep
//     order (row order inside a partition carries no meaning) and allows ROW_GROUP_SIZE_BYTES;
//   - memory_limit at most exportMemoryLimit.
func tuneSession(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	names := []string{"TimeZone", "preserve_insertion_order", "memory_limit"}
	old := map[string]string{}
	for _, n := range names {
		var v string
		if err := conn.QueryRowContext(ctx, "SELECT CAST(current_setting(?) AS VARCHAR)", n).Scan(&v); err != nil {
			return nil, fmt.Errorf("%w: read setting %s: %w", errExport, n, err)
		}
		old[n] = v
	}
	restore = func() {
		// A failed restore leaves the export's settings, which are valid ones: nothing to report.
		for _, n := range names {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SET %s = %s", n, quoteLiteral(old[n])))
		}
	}
	set := []string{"SET TimeZone = 'UTC'", "SET preserve_insertion_order = false"}
	if b, ok := parseBytes(old["memory_limit"]); !ok || b > exportMemoryLimit {
		set = append(set, fmt.Sprintf("SET memory_limit = '%dMiB'", exportMemoryLimit>>20))
	}
	for _, s := range set {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			restore()
			return nil, fmt.Errorf("%w: %s: %w", errExport, s, err)
		}
	}
	return restore, nil
}

// parseBytes reads DuckDB's rendering of a memory size ("18.8 GiB", "512.0 MiB", "1000 bytes").
func parseBytes(s string) (int64, bool) {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), " ")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"": 1, "bytes": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[unit]
	if mult == 0 {
		return 0, false
	}
	return int64(f * mult), true
}
