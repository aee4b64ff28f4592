package export

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExportHelperProcess is the child of TestKilledExportLeavesReadableState, not a test: it
// exports, announces each published file on stdout, and after the Nth one waits to be killed.
func TestExportHelperProcess(t *testing.T) {
	if os.Getenv("BUILDLAKE_EXPORT_HELPER") != "1" {
		t.Skip("helper process for TestKilledExportLeavesReadableState")
	}
	stopAfter, _ := strconv.Atoi(os.Getenv("BUILDLAKE_EXPORT_STOP_AFTER"))
	published := 0
	afterPublish = func(path string) {
		published++
		fmt.Printf("published %s\n", path)
		if published == stopAfter {
			fmt.Println("waiting")
			time.Sleep(time.Minute) // the parent SIGKILLs us here
		}
	}
	db := openReadOnly(t, os.Getenv("BUILDLAKE_EXPORT_DB"))
	if _, err := Export(context.Background(), db, Options{Dir: os.Getenv("BUILDLAKE_EXPORT_DIR")}); err != nil {
		t.Fatal(err)
	}
}

// TestKilledExportLeavesReadableState kills a real export process with SIGKILL after it has
// replaced some of the builds partitions and before the rest: every visible file must read, each
// partition must be wholly the previous or wholly the new version, and the next export must clean
// the staging files and finish the job.
func TestKilledExportLeavesReadableState(t *testing.T) {
	ctx := context.Background()
	path, s := newFixtureDB(t)
	dir := t.TempDir()
	if _, err := Export(ctx, s.DB(), Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	oldRows := map[string][]row{}
	for _, table := range DefaultTables {
		oldRows[table] = readDuckDB(t, s.DB(), table)
	}
	// Every row of the new version differs from its old self.
	execAll(t, s.DB(),
		`UPDATE projects SET default_branch = 'v2'`,
		`UPDATE builds SET subject = 'v2 ' || build_num`,
		`UPDATE steps SET name = 'v2'`,
		`UPDATE artifacts SET url = 'v2'`,
		`UPDATE tests SET result = 'v2'`,
	)
	s.Close()

	// projects is published first, then the builds partitions: stop after 1 + 3.
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "BUILDLAKE_EXPORT_HELPER=1", "BUILDLAKE_EXPORT_STOP_AFTER=4",
		"BUILDLAKE_EXPORT_DB="+path, "BUILDLAKE_EXPORT_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "waiting" {
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	db := openReadOnly(t, path)
	versions := map[string]int{}
	for _, table := range DefaultTables {
		newRows := readDuckDB(t, db, table)
		for part, got := range groupByPartition(readDataset(t, dir, table)) {
			switch {
			case sameRows(t, table, got, groupByPartition(oldRows[table])[part]) == "":
				versions["old"]++
			case sameRows(t, table, got, groupByPartition(newRows)[part]) == "":
				versions["new"]++
			default:
				t.Errorf("%s partition %q is neither the old nor the new version", table, part)
			}
		}
		if n := len(groupByPartition(readDataset(t, dir, table))); n != len(groupByPartition(newRows)) {
			t.Errorf("%s: %d partitions visible, want %d", table, n, len(groupByPartition(newRows)))
		}
	}
	if versions["old"] == 0 || versions["new"] != 4 {
		t.Errorf("partition versions after the kill = %v, want 4 new and the rest old", versions)
	}
	assertOnlyParquetVisible(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "builds", ".staging-all")); err != nil {
		t.Errorf("the kill should have left staging files behind: %v", err)
	}

	if _, err := Export(ctx, db, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, table := range DefaultTables {
		if diff := sameRows(t, table, readDataset(t, dir, table), readDuckDB(t, db, table)); diff != "" {
			t.Error(diff)
		}
	}
	if all := allFiles(t, dir); len(all) != len(visibleFiles(t, dir)) {
		t.Errorf("staging left after a clean export: %v", all)
	}
}

// groupByPartition groups rows by their date partition ("" for projects).
func groupByPartition(rows []row) map[string][]row {
	m := map[string][]row{}
	for _, r := range rows {
		m[r["date"]] = append(m[r["date"]], r)
	}
	return m
}

// assertOnlyParquetVisible fails on any visible (not dot- or underscore-prefixed) file or
// directory entry on a path that is not a published .parquet file.
func assertOnlyParquetVisible(t *testing.T, dir string) {
	t.Helper()
	for _, f := range visibleFiles(t, dir) {
		if !strings.HasSuffix(f, ".parquet") {
			t.Errorf("visible non-Parquet file %s", f)
		}
	}
}

// allFiles lists every file under dir, hidden ones included.
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestCanceledExportCleansUp cancels an export after its first builds partition: Export returns
// the error, removes its staging files, and leaves readable partitions.
func TestCanceledExportCleansUp(t *testing.T) {
	_, s := newFixtureDB(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	afterPublish = func(path string) {
		if strings.Contains(path, "builds") {
			cancel()
		}
	}
	defer func() { afterPublish = nil }()
	if _, err := Export(ctx, s.DB(), Options{Dir: dir}); err == nil {
		t.Fatal("Export after cancel succeeded")
	}
	if all, vis := allFiles(t, dir), visibleFiles(t, dir); len(all) != len(vis) {
		t.Errorf("hidden files left after a failed export: %v", all)
	}
	if n := len(readDataset(t, dir, "builds")); n == 0 || n == len(readDuckDB(t, s.DB(), "builds")) {
		t.Errorf("builds rows after cancel = %d, want some but not all", n)
	}
}
