package load

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchEnv reads a positive integer from the environment, else def. Benchmarks are small by
// default (CI runs them with -benchtime 1x) and scale up through these variables.
func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// stepsBatch builds a pipeline-shaped batch: builds [first, first+n) of project slug, stepsPer
// step rows each (4 strings, 2 timestamps, like a real 2.0 build), with their builds rows.
func stepsBatch(tb testing.TB, s *Store, slug string, first, n, stepsPer int) (builds, steps arrow.RecordBatch) {
	tb.Helper()
	bs, err := tableSchema(s.DB(), "builds")
	if err != nil {
		tb.Fatal(err)
	}
	ss, err := tableSchema(s.DB(), "steps")
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	bb := array.NewRecordBuilder(memory.DefaultAllocator, bs)
	defer bb.Release()
	sb := array.NewRecordBuilder(memory.DefaultAllocator, ss)
	defer sb.Release()
	for num := first; num < first+n; num++ {
		for i, f := range bs.Fields() {
			switch f.Name {
			case "project_slug":
				bb.Field(i).(*array.StringBuilder).Append(slug)
			case "build_num":
				bb.Field(i).(*array.Int64Builder).Append(int64(num))
			case "status", "outcome":
				bb.Field(i).(*array.StringBuilder).Append("success")
			case "job_name":
				bb.Field(i).(*array.StringBuilder).Append("test")
			case "queued_at":
				bb.Field(i).(*array.TimestampBuilder).Append(arrow.Timestamp(at + int64(num)*1e6))
			default:
				bb.Field(i).AppendNull()
			}
		}
		for st := range stepsPer {
			sb.Field(0).(*array.StringBuilder).Append(slug)
			sb.Field(1).(*array.Int64Builder).Append(int64(num))
			sb.Field(2).(*array.Int32Builder).Append(int32(st))
			sb.Field(3).(*array.Int32Builder).Append(0)
			sb.Field(4).(*array.Int32Builder).Append(int32(100 + st))
			sb.Field(5).(*array.StringBuilder).Append("Run step " + strconv.Itoa(st))
			sb.Field(6).(*array.StringBuilder).Append("test")
			sb.Field(7).(*array.StringBuilder).Append("success")
			sb.Field(8).(*array.Int32Builder).Append(0)
			sb.Field(9).(*array.TimestampBuilder).Append(arrow.Timestamp(at))
			sb.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp(at + 1e6))
			sb.Field(11).(*array.Int64Builder).Append(1000)
			for c := 12; c < 18; c++ {
				sb.Field(c).(*array.BooleanBuilder).Append(c == 17)
			}
		}
	}
	builds, steps = bb.NewRecordBatch(), sb.NewRecordBatch()
	tb.Cleanup(builds.Release)
	tb.Cleanup(steps.Release)
	return builds, steps
}

// prefill puts n builds of 20 steps each into slug's history with plain SQL, so the timed writes
// run against a table of realistic size (index and scans grow with it).
func prefill(tb testing.TB, s *Store, slug string, n int) {
	tb.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO builds (project_slug, build_num, status) SELECT ?, b, 'success' FROM range(1, ? + 1) t(b)`,
		`INSERT INTO steps (project_slug, build_num, step_index, node_index, name) SELECT ?, s // 20 + 1, s % 20, 0, 'step' FROM range(? * 20) t(s)`,
	} {
		if _, err := s.DB().ExecContext(ctx, q, slug, n); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkWriteGrowing measures Store.Write as a sync uses it: batches of new builds (250 builds
// × 20 steps by default, the pipeline's batch) into tables that already hold history, and the same
// batch written again (a re-read: every row replaced). Scale with BUILDLAKE_BENCH_PREFILL (builds
// already loaded, default 5000 = 100k steps; 100000 = 2M steps), BUILDLAKE_BENCH_BATCH (builds
// per write) and BUILDLAKE_BENCH_STEPS (steps per build).
func BenchmarkWriteGrowing(b *testing.B) {
	pre := benchEnv("BUILDLAKE_BENCH_PREFILL", 5000)
	per := benchEnv("BUILDLAKE_BENCH_BATCH", 250)
	stepsPer := benchEnv("BUILDLAKE_BENCH_STEPS", 20)
	ctx := context.Background()
	const slug = "github/acme/api"
	b.Run("new", func(b *testing.B) {
		s, _ := openTemp(b)
		prefill(b, s, "github/acme/other", pre)
		next := 1
		var rows int64
		for b.Loop() {
			b.StopTimer()
			builds, steps := stepsBatch(b, s, slug, next, per, stepsPer)
			next += per
			b.StartTimer()
			c, err := s.Write(ctx, Batch{Builds: builds, Steps: steps})
			if err != nil {
				b.Fatal(err)
			}
			rows += c.Steps
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "steps/s")
	})
	b.Run("rewrite", func(b *testing.B) {
		s, _ := openTemp(b)
		prefill(b, s, "github/acme/other", pre)
		builds, steps := stepsBatch(b, s, slug, 1, per, stepsPer)
		if _, err := s.Write(ctx, Batch{Builds: builds, Steps: steps}); err != nil {
			b.Fatal(err)
		}
		var rows int64
		for b.Loop() {
			c, err := s.Write(ctx, Batch{Builds: builds, Steps: steps})
			if err != nil {
				b.Fatal(err)
			}
			rows += c.Steps
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "steps/s")
		if n := count(b, s.DB(), "SELECT count(*) FROM steps WHERE project_slug = ?", slug); n != per*stepsPer {
			b.Fatalf("steps = %d, want %d", n, per*stepsPer)
		}
	})
}

// BenchmarkWriteState measures the state part of a sync batch: 100 projects' sync_state rows
// (a 250-build batch of an org with many projects touches about that many).
func BenchmarkWriteState(b *testing.B) {
	s, _ := openTemp(b)
	var st []ProjectState
	for i := range 100 {
		st = append(st, ProjectState{ProjectSlug: "github/acme/p" + strconv.Itoa(i), HighWater: int64(i), Pending: []int64{1, 2}, RunID: "r"})
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Write(ctx, Batch{State: st}); err != nil {
			b.Fatal(err)
		}
	}
}
