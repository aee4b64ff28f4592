package load

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestExportMarksAndLeftDates(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if has, err := s.HasExportMarks(ctx); err != nil || has {
		t.Fatalf("HasExportMarks on a new database = %v, %v; want false", has, err)
	}
	if _, ok, err := s.ExportMark(ctx, "/pq", ""); err != nil || ok {
		t.Fatalf("ExportMark on a new database = ok %v, err %v; want none", ok, err)
	}
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, m := range []struct {
		shard string
		at    time.Time
	}{{"", at}, {"", at.Add(time.Hour)}, {"1/2", at}} {
		if err := s.SetExportMark(ctx, "/pq", m.shard, m.at, "r"); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := s.ExportMark(ctx, "/pq", ""); err != nil || !ok || !got.Equal(at.Add(time.Hour)) {
		t.Fatalf("ExportMark = %v, %v, %v; want the later mark %v", got, ok, err, at.Add(time.Hour))
	}
	if has, _ := s.HasExportMarks(ctx); !has {
		t.Fatal("HasExportMarks = false after SetExportMark")
	}

	// Left dates commit with the batch; a date noted again keeps the later time.
	for i, dates := range [][]string{{"2026-12-01", "2026-12-02"}, {"2026-12-02"}} {
		if _, err := s.Write(ctx, Batch{LeftDates: dates, LeftAt: at.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.LeftDatesSince(ctx, at.Add(30*time.Minute)); err != nil || !slices.Equal(got, []string{"2026-12-02"}) {
		t.Fatalf("LeftDatesSince = %v, %v; want [2026-12-02]", got, err)
	}
	if got, _ := s.LeftDatesSince(ctx, at); len(got) != 2 {
		t.Fatalf("LeftDatesSince(at) = %v, want both dates", got)
	}
}
