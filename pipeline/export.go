// This file: the Parquet side of a run — which partitions it touched and catching an export up
// after runs that stopped before theirs.

package pipeline

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/buildlake/buildlake/export"
	"github.com/buildlake/buildlake/extract"
)

// export writes the Parquet partitions this run touched (and the projects table), plus those every
// run since the last completed export into the same directory touched: a run that stopped before
// its export (cancelled, failed, killed) leaves them behind, and export_marks and
// export_left_dates keep them in the database. With no completed export yet it writes everything.
func (s *syncer) export(ctx context.Context) error {
	if s.o.ParquetDir == "" {
		return nil
	}
	dir, err := filepath.Abs(s.o.ParquetDir)
	if err != nil {
		return fmt.Errorf("%w: export: %w", errSync, err)
	}
	shard := s.o.Shard.String()
	mark, ok, err := s.store.ExportMark(ctx, dir, shard)
	if err != nil {
		return fmt.Errorf("%w: %w", errSync, err)
	}
	var dates []string // nil: every partition
	if ok {
		written, err := export.DatesWrittenSince(ctx, s.store.DB(), mark)
		if err != nil {
			return fmt.Errorf("%w: %w", errSync, err)
		}
		left, err := s.store.LeftDatesSince(ctx, mark)
		if err != nil {
			return fmt.Errorf("%w: %w", errSync, err)
		}
		for _, d := range slices.Concat(written, left) {
			s.dates[d] = true
		}
		dates = slices.Sorted(maps.Keys(s.dates))
		if dates == nil {
			dates = []string{}
		}
	}
	res, err := export.Export(ctx, s.store.DB(), export.Options{Dir: s.o.ParquetDir, Dates: dates, Shard: s.o.Shard, Now: s.o.Now})
	if err != nil {
		return fmt.Errorf("%w: export: %w", errSync, err)
	}
	for _, tr := range res.Tables {
		for _, d := range tr.Dates {
			s.dates[d] = true
		}
	}
	// Every build this run or an earlier one wrote before this run started is exported now.
	if err := s.store.SetExportMark(ctx, dir, shard, s.res.StartedAt, s.res.RunID); err != nil {
		return fmt.Errorf("%w: %w", errSync, err)
	}
	return nil
}

// noteDates adds the Parquet partitions the builds are in now to the run's export set and returns
// them. It does nothing (and returns nil) unless some export must learn of them.
func (s *syncer) noteDates(ctx context.Context, builds []extract.BuildRef) ([]string, error) {
	if !s.tracksExports || len(builds) == 0 {
		return nil, nil
	}
	slugs := make([]string, len(builds))
	nums := make([]int64, len(builds))
	for i, b := range builds {
		slugs[i], nums[i] = b.ProjectSlug, b.BuildNum
	}
	dates, err := export.PartitionDates(ctx, s.store.DB(), slugs, nums)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSync, err)
	}
	for _, d := range dates {
		s.dates[d] = true
	}
	return dates, nil
}
