package export

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestShardsReadTogetherEqualUnsharded exports shards 1/2 and 2/2 separately into one directory
// and checks that DuckDB (hive partitioning) and parquet-go read their union as one unsharded
// export.
func TestShardsReadTogetherEqualUnsharded(t *testing.T) {
	ctx := context.Background()
	path, s := newFixtureDB(t)
	s.Close()
	db := openReadOnly(t, path)
	sharded, whole := t.TempDir(), t.TempDir()
	for k := 1; k <= 2; k++ {
		res, err := Export(ctx, db, Options{Dir: sharded, Shard: Shard{k, 2}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Tables["builds"].Rows == 0 || res.Tables["projects"].Rows == 0 {
			t.Fatalf("shard %d/2 is empty: %+v", k, res.Tables)
		}
	}
	if _, err := Export(ctx, db, Options{Dir: whole}); err != nil {
		t.Fatal(err)
	}
	for _, table := range DefaultTables {
		got := readDataset(t, sharded, table)
		if diff := sameRows(t, table, got, readDataset(t, whole, table)); diff != "" {
			t.Errorf("parquet-go: %s", diff)
		}
		for _, r := range got {
			var sh Shard
			if _, err := fmt.Sscanf(r["shard"], "%d-of-%d", &sh.K, &sh.N); err != nil || !sh.Contains(r["project_slug"]) {
				t.Fatalf("%s row of %s in %q", table, r["project_slug"], r["shard"])
			}
		}

		shardGlob, wholeGlob := filepath.Join(sharded, table, "*", "*", "*.parquet"), filepath.Join(whole, table, "*", "*.parquet")
		if table == "projects" {
			shardGlob, wholeGlob = filepath.Join(sharded, table, "*", "*.parquet"), filepath.Join(whole, table, "*.parquet")
		}
		var rows, missing, extra int
		q := fmt.Sprintf(`WITH a AS (SELECT * EXCLUDE (shard) FROM read_parquet(%[1]s, hive_partitioning = true)),
			b AS (SELECT * FROM read_parquet(%[2]s, hive_partitioning = true))
			SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM (FROM b EXCEPT ALL FROM a)),
			(SELECT count(*) FROM (FROM a EXCEPT ALL FROM b))`, quoteLiteral(shardGlob), quoteLiteral(wholeGlob))
		if err := db.QueryRowContext(ctx, q).Scan(&rows, &missing, &extra); err != nil {
			t.Fatal(err)
		}
		want := len(readDuckDB(t, db, table))
		if rows != want || missing != 0 || extra != 0 {
			t.Errorf("duckdb %s: %d rows (want %d), %d missing, %d extra", table, rows, want, missing, extra)
		}
	}
}
