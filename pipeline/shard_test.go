package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/buildlake/buildlake/export"
	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/pipeline"
)

// TestShardsTogetherEqualOneRun: two processes' worth of `sync --shard K/2 --parquet-dir DIR`,
// each into its own database, export under their own shard= prefixes; read together (DuckDB with
// hive partitioning, and parquet-go independently) they equal one unsharded run.
func TestShardsTogetherEqualOneRun(t *testing.T) {
	srv := newSim(t, circlecitest.Options{Projects: 4, BuildsPerProject: 25})
	dir := t.TempDir()
	sharded, whole := filepath.Join(dir, "sharded"), filepath.Join(dir, "whole")
	for k := 1; k <= 2; k++ {
		st := openStore(t, filepath.Join(dir, fmt.Sprintf("shard%d.duckdb", k)))
		res := syncOnce(t, st, srv, func(o *pipeline.Options) { o.Shard, o.ParquetDir = export.Shard{K: k, N: 2}, sharded })
		st.Close()
		if res.Projects == 0 || res.Projects == 4 {
			t.Fatalf("shard %d/2 took %d of 4 projects; the test needs both shards non-empty", k, res.Projects)
		}
	}
	st := openStore(t, filepath.Join(dir, "whole.duckdb"))
	defer st.Close()
	syncOnce(t, st, srv, func(o *pipeline.Options) { o.ParquetDir = whole })

	for _, table := range []string{"builds", "steps", "tests", "artifacts"} {
		a := fmt.Sprintf("SELECT * EXCLUDE (date, shard, extracted_at) FROM read_parquet('%s/%s/*/*/*.parquet', hive_partitioning = true)", sharded, table)
		b := fmt.Sprintf("SELECT * EXCLUDE (date, extracted_at) FROM read_parquet('%s/%s/*/*.parquet', hive_partitioning = true)", whole, table)
		if table != "builds" {
			a = strings.Replace(a, ", extracted_at", "", 1)
			b = strings.Replace(b, ", extracted_at", "", 1)
		}
		diff := count(t, st.DB(), fmt.Sprintf("SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s))", a, b, b, a))
		n := count(t, st.DB(), "SELECT count(*) FROM "+table)
		if diff != 0 || n == 0 {
			t.Errorf("%s: %d rows differ between the shards' union and one run (%d rows)", table, diff, n)
		}
		if got := parquetRows(t, filepath.Join(sharded, table)); got != n {
			t.Errorf("%s: parquet-go reads %d rows in the shards' files, the unsharded table has %d", table, got, n)
		}
	}
}

// parquetRows counts the rows of every visible .parquet file under dir with parquet-go.
func parquetRows(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") || strings.Contains(path, "/.") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		pf, err := parquet.OpenFile(f, info.Size())
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		n += pf.NumRows()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
