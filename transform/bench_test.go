package transform_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/transform"
)

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// simBodies fetches every build's details from a simulator (3 projects × BUILDLAKE_BENCH_BUILDS,
// default 100) through the real client and returns the raw bodies: realistic input for decode
// and transform, without network time in the measurement.
func simBodies(b *testing.B) [][]byte {
	b.Helper()
	ctx := context.Background()
	srv := circlecitest.NewServer(circlecitest.Options{Seed: 1, Projects: 3, BuildsPerProject: benchEnv("BUILDLAKE_BENCH_BUILDS", 100)})
	defer srv.Close()
	var mu sync.Mutex
	var bodies [][]byte
	c, err := extract.New(extract.Config{Host: srv.URL, Token: srv.Token, Rate: 1e6, RawSink: func(kind string, body []byte) {
		if kind == "details" {
			mu.Lock()
			bodies = append(bodies, bytes.Clone(body))
			mu.Unlock()
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	ps, err := c.ListProjects(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var refs []extract.BuildRef
	for _, p := range ps {
		slug := transform.ProjectSlug(p.VCSType.V, p.Username.V, p.Reponame.V)
		t, err := extract.ListTargets(ctx, c, extract.ProjectPlan{ProjectSlug: slug})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range t.All() {
			refs = append(refs, extract.BuildRef{ProjectSlug: slug, BuildNum: n})
		}
	}
	out := make(chan extract.Fetched, 64)
	go func() {
		defer close(out)
		extract.FetchBuilds(ctx, c, refs, extract.FetchOptions{Concurrency: 8, NoTests: true, NoArtifacts: true}, out)
	}()
	for f := range out {
		if f.Err != nil {
			b.Fatal(f.Err)
		}
	}
	return bodies
}

// BenchmarkDecode measures extract.DecodeBuild on simulator build-details bodies (MB/s is of raw
// JSON).
func BenchmarkDecode(b *testing.B) {
	bodies := simBodies(b)
	size := 0
	for _, body := range bodies {
		size += len(body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			if _, err := extract.DecodeBuild(body); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(bodies))*float64(b.N)/b.Elapsed().Seconds(), "builds/s")
}

// BenchmarkTransform measures Transform of decoded builds into Arrow records (builds and steps),
// in step rows/s.
func BenchmarkTransform(b *testing.B) {
	bodies := simBodies(b)
	in := make([]transform.Input, 0, len(bodies))
	for _, body := range bodies {
		bd, err := extract.DecodeBuild(body)
		if err != nil {
			b.Fatal(err)
		}
		in = append(in, transform.Input{Build: bd, HaveSteps: true})
	}
	now := time.Now()
	var steps int64
	b.ReportAllocs()
	for b.Loop() {
		tb, err := transform.Transform(nil, now, in)
		if err != nil {
			b.Fatal(err)
		}
		steps += tb.Steps.NumRows()
		tb.Release()
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
