package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// The sync benchmarks are small by default (CI runs them with -benchtime 1x) and scale through
// BUILDLAKE_BENCH_PROJECTS, BUILDLAKE_BENCH_BUILDS (per project), BUILDLAKE_BENCH_LATENCY
// (simulated per-request latency, a Go duration) and BUILDLAKE_BENCH_RATE (sync --rate; 0 =
// adaptive). `buildlake bench` runs the same scenario with the sync in its own process.

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchEnvDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d >= 0 {
		return d
	}
	return def
}

func benchSim(b *testing.B, projects, builds int, latency time.Duration) *circlecitest.Server {
	b.Helper()
	srv := circlecitest.NewServer(circlecitest.Options{Seed: 3, Projects: projects, BuildsPerProject: builds,
		Days: 20, Now: simNow, Latency: latency})
	b.Cleanup(srv.Close)
	return srv
}

func benchSync(b *testing.B, st *load.Store, srv *circlecitest.Server, rate float64) pipeline.Result {
	b.Helper()
	res, err := pipeline.Sync(context.Background(), st, pipeline.Options{
		Host: srv.URL, Token: srv.Token, Now: srv.Now, Since: srv.Now().AddDate(0, 0, -21),
		Concurrency: 16, Rate: rate,
	})
	if err != nil {
		b.Fatalf("sync: %v", err)
	}
	return res
}

// BenchmarkFullSync syncs the whole simulated history into a fresh database per iteration and
// reports requests/s, step rows/s, and wall time against the ideal requests × latency /
// concurrency (when a latency is set).
func BenchmarkFullSync(b *testing.B) {
	projects := benchEnvInt("BUILDLAKE_BENCH_PROJECTS", 3)
	builds := benchEnvInt("BUILDLAKE_BENCH_BUILDS", 30)
	latency := benchEnvDuration("BUILDLAKE_BENCH_LATENCY", 0)
	rate := float64(benchEnvInt("BUILDLAKE_BENCH_RATE", 0))
	srv := benchSim(b, projects, builds, latency)
	var reqs, steps int64
	for b.Loop() {
		b.StopTimer()
		st, err := load.Open(context.Background(), filepath.Join(b.TempDir(), "b.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res := benchSync(b, st, srv, rate)
		b.StopTimer()
		st.Close()
		b.StartTimer()
		reqs += res.Requests
		steps += res.Steps
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(reqs)/secs, "req/s")
	b.ReportMetric(float64(steps)/secs, "steps/s")
	if latency > 0 {
		ideal := float64(reqs) * latency.Seconds() / 16
		b.ReportMetric(secs/ideal, "wall/ideal")
	}
}

// BenchmarkIncrementalSync measures a sync with nothing new after a full one: requests per
// project (target ≤ 2) and seconds per 100 projects (target ≤ 2 s).
func BenchmarkIncrementalSync(b *testing.B) {
	projects := benchEnvInt("BUILDLAKE_BENCH_PROJECTS", 10)
	builds := benchEnvInt("BUILDLAKE_BENCH_BUILDS", 10)
	latency := benchEnvDuration("BUILDLAKE_BENCH_LATENCY", 0)
	rate := float64(benchEnvInt("BUILDLAKE_BENCH_RATE", 0))
	srv := benchSim(b, projects, builds, latency)
	st, err := load.Open(context.Background(), filepath.Join(b.TempDir(), "b.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchSync(b, st, srv, rate)
	var reqs int64
	b.ResetTimer()
	for b.Loop() {
		res := benchSync(b, st, srv, rate)
		if res.Builds != 0 {
			b.Fatalf("incremental sync loaded %d builds, want 0", res.Builds)
		}
		reqs += res.Requests
	}
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(reqs)/float64(b.N)/float64(projects), "req/project")
	b.ReportMetric(secs*100/float64(projects), "s/100projects")
}
