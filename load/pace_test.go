package load

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

func TestPaceRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, ok, err := s.Pace(ctx, "https://circleci.com"); err != nil || ok {
		t.Fatalf("Pace on a new database = ok %v, err %v; want none", ok, err)
	}
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	if err := s.SavePace(ctx, Pace{Host: "https://circleci.com", Rate: 12.5, Throttled: true, RunID: "r1", UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	// A later run replaces the row; another host keeps its own.
	want := Pace{Host: "https://circleci.com", Rate: 40.25, RunID: "r2", UpdatedAt: at.Add(time.Hour)}
	for _, p := range []Pace{want, {Host: "https://ci.example.com", Rate: 3, Throttled: true, UpdatedAt: at}} {
		if err := s.SavePace(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.Pace(ctx, "https://circleci.com")
	if err != nil || !ok || got != want {
		t.Fatalf("Pace = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	if n := count(t, s.DB(), "SELECT count(*) FROM sync_pace"); n != 2 {
		t.Fatalf("sync_pace rows = %d, want 2", n)
	}
}

// TestOpenMigratesVersion1: a database written by a buildlake that knew only migration 1 opens,
// gains the later tables, and keeps its rows.
func TestOpenMigratesVersion1(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "v1.duckdb")
	db, err := sql.Open("duckdb", p)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{schemaSQL, "INSERT INTO schema_version VALUES (1, now())",
		"INSERT INTO builds (project_slug, build_num, status) VALUES ('github/a/x', 7, 'success')"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := count(t, s.DB(), "SELECT max(version) FROM schema_version"); v != SchemaVersion() || v < 2 {
		t.Fatalf("schema_version = %d after migrating, want %d", v, SchemaVersion())
	}
	if n := count(t, s.DB(), "SELECT count(*) FROM builds WHERE build_num = 7"); n != 1 {
		t.Fatalf("the version-1 build is gone after migrating (%d rows)", n)
	}
	if err := s.SavePace(ctx, Pace{Host: "h", Rate: 1}); err != nil {
		t.Fatalf("sync_pace after migrating: %v", err)
	}
}
