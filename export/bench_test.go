package export

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
)

// The export benchmark compares DuckDB's COPY … TO (what Export uses) with arrow-go's pqarrow
// writer fed by DuckDB's Arrow interface (only with -tags duckdb_arrow), on a generated database:
//
//	BUILDLAKE_BENCH_BUILDS=1000000 BUILDLAKE_BENCH_STEPS_PER_BUILD=20 \
//	  go test -tags duckdb_arrow -run '^$' -bench BenchmarkExport -benchtime 1x ./export/
//
// BUILDLAKE_BENCH_DB=path keeps (and reuses) the generated database. Each writer runs in a fresh
// child process so that its peak RSS (VmHWM) is its own, not the generator's.

// benchPqarrow is set by pqarrow_bench_test.go when built with -tags duckdb_arrow.
var benchPqarrow func(ctx context.Context, conn *sql.Conn, dir string) (rows int64, err error)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchDB generates (or reuses) the benchmark database: 100 projects, builds spread over 90 days,
// stepsPerBuild step rows per build (step_index × node_index).
func benchDB(b *testing.B) string {
	builds := envInt("BUILDLAKE_BENCH_BUILDS", 20000)
	steps := envInt("BUILDLAKE_BENCH_STEPS_PER_BUILD", 20)
	path := os.Getenv("BUILDLAKE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.duckdb")
	} else if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx := context.Background()
	start := time.Now()
	s, err := load.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`INSERT INTO projects (project_slug, vcs_type, username, reponame, following, extracted_at)
		SELECT 'github/acme/p' || i, 'github', 'acme', 'p' || i, TRUE, now() FROM range(100) r(i)`,
		fmt.Sprintf(`INSERT INTO builds (project_slug, build_num, vcs_type, username, reponame, build_url,
			vcs_revision, branch, subject, committer_name, status, outcome, lifecycle, parallel, job_name,
			workflow_id, resource_class, usage_queued_at, queued_at, start_time, stop_time,
			build_time_millis, queue_millis, extracted_at)
		SELECT 'github/acme/p' || (i %% 100), i, 'github', 'acme', 'p' || (i %% 100),
			'https://circleci.com/gh/acme/p' || (i %% 100) || '/' || i, md5(i::VARCHAR), 'branch-' || (i %% 37),
			'commit message number ' || i, 'dev' || (i %% 50), CASE WHEN i %% 9 = 0 THEN 'failed' ELSE 'success' END,
			CASE WHEN i %% 9 = 0 THEN 'failed' ELSE 'success' END, 'finished', 1 + i %% 4, 'job-' || (i %% 12),
			uuid()::VARCHAR, 'medium', ts, ts + INTERVAL 3 SECOND, ts + INTERVAL 20 SECOND, ts + to_seconds(300 + i %% 600),
			(280 + i %% 600) * 1000, 20000, now()
		FROM (SELECT i, TIMESTAMP '2026-01-01' + to_seconds(CAST(i * (7776000.0 / %d) AS BIGINT)) AS ts FROM range(%d) r(i))`, builds, builds),
		fmt.Sprintf(`INSERT INTO steps SELECT b.project_slug, b.build_num, s // 2, s %% 2, s // 2, 'step number ' || (s // 2),
			'test', 'success', 0, b.start_time + to_seconds(s), b.start_time + to_seconds(s + 9), 9000 + s,
			FALSE, FALSE, FALSE, FALSE, FALSE, TRUE
		FROM builds b, range(%d) x(s)`, steps),
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("generated %d builds, %d steps in %s", builds, builds*steps, time.Since(start).Round(time.Millisecond))
	return path
}

// BenchmarkExport runs each writer once per iteration in a child process and reports rows/s and
// the child's peak RSS.
func BenchmarkExport(b *testing.B) {
	path := benchDB(b)
	modes := []string{"duckdb"}
	if benchPqarrow != nil {
		modes = append(modes, "pqarrow")
	}
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				rows, secs, peakKiB := runBenchChild(b, path, mode)
				b.ReportMetric(float64(rows)/secs, "rows/s")
				b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
				b.ReportMetric(float64(rows), "rows")
			}
		})
	}
}

func runBenchChild(b *testing.B, dbPath, mode string) (rows int64, secs float64, peakKiB int64) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportBenchChild$", "-test.bench=^$", "-test.v")
	cmd.Env = append(os.Environ(), "BUILDLAKE_BENCH_CHILD="+mode, "BUILDLAKE_BENCH_CHILD_DB="+dbPath,
		"BUILDLAKE_BENCH_CHILD_DIR="+b.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if _, err := fmt.Sscanf(strings.TrimSpace(sc.Text()), "result rows=%d seconds=%g peak_kib=%d", &rows, &secs, &peakKiB); err == nil {
			return rows, secs, peakKiB
		}
	}
	b.Fatalf("no result line in child output:\n%s", out)
	return
}

// TestExportBenchChild is BenchmarkExport's child process, not a test.
func TestExportBenchChild(t *testing.T) {
	mode := os.Getenv("BUILDLAKE_BENCH_CHILD")
	if mode == "" {
		t.Skip("child process of BenchmarkExport")
	}
	ctx := context.Background()
	db := openReadOnly(t, os.Getenv("BUILDLAKE_BENCH_CHILD_DB"))
	dir := os.Getenv("BUILDLAKE_BENCH_CHILD_DIR")
	start := time.Now()
	var rows int64
	switch mode {
	case "duckdb":
		res, err := Export(ctx, db, Options{Dir: dir, Tables: []string{"projects", "builds", "steps"}})
		if err != nil {
			t.Fatal(err)
		}
		rows = res.Rows()
	case "pqarrow":
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if rows, err = benchPqarrow(ctx, conn, dir); err != nil {
			t.Fatal(err)
		}
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("result rows=%d seconds=%g peak_kib=%d\n", rows, secs, peakRSSKiB(t))
}

// peakRSSKiB is the process's VmHWM from /proc/self/status.
func peakRSSKiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
