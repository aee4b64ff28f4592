package export

import (
	"context"
	"slices"
	"testing"
)

func TestPartitionDates(t *testing.T) {
	ctx := context.Background()
	_, s := newFixtureDB(t)
	// Build 1 of p0 is queued 2026-02-01 06:00; 900 of p1 has only extracted_at (2026-02-20);
	// 901 of p2 has nothing (1970-01-01); 1 of p5 does not exist.
	got, err := PartitionDates(ctx, s.DB(), []string{"github/acme/p0", "github/acme/p3", "github/acme/p1", "github/acme/p2", "github/acme/p9"},
		[]int64{1, 1, 900, 901, 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1970-01-01", "2026-02-01", "2026-02-20"}; !slices.Equal(got, want) {
		t.Errorf("PartitionDates = %v, want %v", got, want)
	}
	if got, err := PartitionDates(ctx, s.DB(), nil, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no builds: %v, %v; want an empty non-nil list", got, err)
	}
	if _, err := PartitionDates(ctx, s.DB(), []string{"a"}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
}
