package load

import (
	"context"
	"path/filepath"
	"testing"
)

func TestOpenCreatesSchema(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('builds','steps','artifacts','tests','projects','sync_runs','sync_state')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Fatalf("tables = %d, want 7", n)
	}
}
