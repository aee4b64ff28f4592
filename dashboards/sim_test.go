package dashboards

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// simNow is the simulated clock of the simulator-filled database.
var simNow = time.Date(2026, 5, 4, 15, 0, 0, 0, time.UTC)

var (
	simOnce  sync.Once
	simPath  string
	simTruth circlecitest.Truth
)

// sharedSimFixture builds the simulator-filled database once for the browser tests.
func sharedSimFixture(t *testing.T) (string, circlecitest.Truth) {
	t.Helper()
	simOnce.Do(func() { simPath, simTruth = simFixture(fixtureDirTB{t}) })
	if simPath == "" {
		t.Fatal("simulated database could not be built (see the first test that asked for it)")
	}
	return simPath, simTruth
}

// simFixture syncs a small simulated CircleCI into a new database, as `buildlake demo` does,
// and returns its path (closed) and the simulator's ground truth.
func simFixture(t testing.TB) (string, circlecitest.Truth) {
	t.Helper()
	srv := circlecitest.NewServer(circlecitest.Options{
		Seed: 7, Projects: 2, BuildsPerProject: 90, Days: 21, Parallelism: 2, TestsPerJob: 12, Now: simNow,
	})
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "sim.duckdb")
	ctx := context.Background()
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = pipeline.Sync(ctx, store, pipeline.Options{Host: srv.URL, Token: srv.Token, Now: func() time.Time { return simNow },
		Since: simNow.AddDate(0, 0, -30)})
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("simulated sync took %v", time.Since(start))
	return path, srv.Truth()
}
