package transform_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/transform"
)

// TestSchemasMatchDDL opens a real DuckDB file through load.Open and checks that every Arrow
// schema has the table's columns, in order, with the type that maps to the column's SQL type,
// and that key columns are exactly the non-nullable fields.
func TestSchemasMatchDDL(t *testing.T) {
	ctx := context.Background()
	s, err := load.Open(ctx, filepath.Join(t.TempDir(), "b.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sqlType := map[arrow.Type]string{arrow.STRING: "VARCHAR", arrow.INT64: "BIGINT", arrow.INT32: "INTEGER", arrow.BOOL: "BOOLEAN", arrow.TIMESTAMP: "TIMESTAMP"}
	keys := load.TableKeys()
	for table, sc := range map[string]*arrow.Schema{
		"projects": transform.ProjectsSchema, "builds": transform.BuildsSchema, "steps": transform.StepsSchema,
		"artifacts": transform.ArtifactsSchema, "tests": transform.TestsSchema,
	} {
		rows, err := s.DB().QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		var cols, types []string
		for rows.Next() {
			var c, ty string
			if err := rows.Scan(&c, &ty); err != nil {
				t.Fatal(err)
			}
			cols, types = append(cols, c), append(types, ty)
		}
		rows.Close()
		fs := sc.Fields()
		if len(fs) != len(cols) {
			t.Errorf("%s: %d fields, table has %d columns", table, len(fs), len(cols))
			continue
		}
		isKey := map[string]bool{}
		for _, k := range keys[table] {
			isKey[k] = true
		}
		for i, f := range fs {
			if f.Name != cols[i] {
				t.Errorf("%s column %d: field %q, table %q", table, i, f.Name, cols[i])
			}
			if sqlType[f.Type.ID()] != types[i] {
				t.Errorf("%s.%s: Arrow %s, table %s", table, f.Name, f.Type, types[i])
			}
			if f.Nullable == isKey[f.Name] {
				t.Errorf("%s.%s: nullable %v but key %v", table, f.Name, f.Nullable, isKey[f.Name])
			}
			if ts, ok := f.Type.(*arrow.TimestampType); ok && (ts.Unit != arrow.Microsecond || ts.TimeZone != "UTC") {
				t.Errorf("%s.%s: %s, want timestamp[us, UTC]", table, f.Name, f.Type)
			}
		}
	}
}

// TestTransformLoadRoundTrip writes a transformed batch through load and reads values back: the
// two packages agree on the contract end to end.
func TestTransformLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := load.Open(ctx, filepath.Join(t.TempDir(), "b.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := []transform.Input{
		{ProjectSlug: "github/acme/api", Build: readBuild(t, "build_2_0_workflow_failed.json"), HaveSteps: true, HaveArtifacts: true, HaveTests: true},
		{ProjectSlug: "github/acme/legacy", Build: readBuild(t, "build_1_0_circle_job.json"), HaveSteps: true, HaveArtifacts: true, HaveTests: true},
	}
	b, err := transform.Transform(nil, now, in)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	c, err := s.Write(ctx, load.Batch{Builds: b.Builds, Steps: b.Steps, Artifacts: b.Artifacts, Tests: b.Tests})
	if err != nil {
		t.Fatal(err)
	}
	if c.Builds != 2 || c.Steps != 9 {
		t.Fatalf("counts = %+v", c)
	}
	var q, rq int64
	var fr string
	if err := s.DB().QueryRowContext(ctx, `SELECT queue_millis, run_queue_millis, fail_reason FROM builds WHERE build_num = 1205`).Scan(&q, &rq, &fr); err != nil {
		t.Fatal(err)
	}
	if q != 10250 || rq != 6250 || fr != "Run tests" {
		t.Fatalf("queue %d run_queue %d fail_reason %q", q, rq, fr)
	}
}
