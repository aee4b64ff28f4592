package export

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshot reads every visible file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, f := range visibleFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = b
	}
	return m
}

// TestReexportReplacesTouchedPartitionsOnly is the sync --parquet-dir case: the run changed
// builds on two dates (one of them new), and only those partitions are rewritten.
func TestReexportReplacesTouchedPartitionsOnly(t *testing.T) {
	ctx := context.Background()
	_, s := newFixtureDB(t)
	dir := t.TempDir()
	if _, err := Export(ctx, s.DB(), Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	inodes := map[string]os.FileInfo{}
	for f := range before {
		inodes[f], _ = os.Stat(filepath.Join(dir, f))
	}

	// Builds 8..11 are queued on 2026-02-03; build 1000 is new, on 2026-02-15.
	execAll(t, s.DB(),
		`UPDATE builds SET status = 'canceled', canceled = TRUE, stop_time = NULL WHERE build_num BETWEEN 8 AND 11`,
		`UPDATE steps SET exit_code = 137 WHERE build_num = 9`,
		`DELETE FROM tests WHERE build_num = 10 AND test_index = 3`,
		`INSERT INTO builds (project_slug, build_num, status, queued_at) VALUES ('github/acme/p0', 1000, 'running', TIMESTAMP '2026-02-15 08:00:00')`,
		`INSERT INTO steps (project_slug, build_num, step_index, node_index, name) VALUES ('github/acme/p0', 1000, 0, 0, 'checkout')`,
	)
	touched := []string{"2026-02-03", "2026-02-15"}
	res, err := Export(ctx, s.DB(), Options{Dir: dir, Dates: touched})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Tables["builds"].Dates, ","); got != strings.Join(touched, ",") {
		t.Errorf("builds dates written = %s", got)
	}
	after := snapshot(t, dir)
	for f, b := range before {
		if strings.Contains(f, "date=2026-02-03") || strings.HasPrefix(f, "projects") {
			continue
		}
		if !bytes.Equal(after[f], b) {
			t.Errorf("untouched %s changed", f)
		}
		// Same bytes could come from an identical rewrite; the same inode means no rewrite.
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !os.SameFile(st, inodes[f]) {
			t.Errorf("untouched %s was rewritten", f)
		}
	}
	for _, table := range DefaultTables {
		if diff := sameRows(t, table, readDataset(t, dir, table), readDuckDB(t, s.DB(), table)); diff != "" {
			t.Error(diff)
		}
	}
	b := byKey(t, "builds", readDataset(t, dir, "builds"))
	if r := b["github/acme/p4|10"]; r["status"] != "canceled" || r["stop_time"] != "NULL" || r["date"] != "2026-02-03" {
		t.Errorf("changed build exported as %v", r)
	}
	if r := b["github/acme/p0|1000"]; r["date"] != "2026-02-15" {
		t.Errorf("new build exported as %v", r)
	}
}

// TestFullReexportRemovesEmptiedPartitions: a full re-export after builds were deleted drops
// their partition and keeps the dataset equal to the database, with no duplicates.
func TestFullReexportRemovesEmptiedPartitions(t *testing.T) {
	ctx := context.Background()
	_, s := newFixtureDB(t)
	dir := t.TempDir()
	if _, err := Export(ctx, s.DB(), Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	// Builds 16..19 are the whole of 2026-02-05.
	execAll(t, s.DB(),
		`DELETE FROM steps WHERE build_num BETWEEN 16 AND 19`,
		`DELETE FROM tests WHERE build_num BETWEEN 16 AND 19`,
		`DELETE FROM artifacts WHERE build_num BETWEEN 16 AND 19`,
		`DELETE FROM builds WHERE build_num BETWEEN 16 AND 19`,
	)
	for i := range 2 {
		res, err := Export(ctx, s.DB(), Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range DefaultTables {
			if diff := sameRows(t, table, readDataset(t, dir, table), readDuckDB(t, s.DB(), table)); diff != "" {
				t.Error(diff)
			}
		}
		if got, want := res.Tables["steps"].Removed, 1-i; got != want {
			t.Errorf("run %d: steps partitions removed = %d, want %d", i, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "builds", "date=2026-02-05")); !os.IsNotExist(err) {
		t.Errorf("emptied partition still present: %v", err)
	}
}
