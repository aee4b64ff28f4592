package schedules

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/buildlake/buildlake/pipeline"
)

// statuses are the run outcomes counted for every job from the start, so that a rate() over
// a status that has not happened yet is 0 rather than absent.
var statuses = []string{pipeline.StatusSuccess, pipeline.StatusPartial, pipeline.StatusFailed, pipeline.StatusCanceled}

// metrics are the scheduler's Prometheus series, on a private registry (no global state, so two
// schedulers in one test binary do not collide). docs/operations.md says what each one means.
type metrics struct {
	registry    *prometheus.Registry
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rows        *prometheus.CounterVec
	requests    *prometheus.CounterVec
	rateLimited prometheus.Counter
	retries     prometheus.Counter
	skipped     *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	running     *prometheus.GaugeVec
}

func newMetrics(jobs []Job) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buildlake_runs_total",
			Help: "Finished sync runs by job and status (success, partial, failed, canceled).",
		}, []string{"job", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "buildlake_run_duration_seconds",
			Help:    "Wall time of sync runs by job, from the start of the sync to its end (excluding jitter and waiting for the store).",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200},
		}, []string{"job"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buildlake_rows_upserted_total",
			Help: "Rows inserted or updated by sync runs, by table.",
		}, []string{"table"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buildlake_api_requests_total",
			Help: "CircleCI API requests (attempts, retries included) by HTTP status code; code=\"none\": no response (reset, timeout).",
		}, []string{"code"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buildlake_api_rate_limited_total",
			Help: "CircleCI API answers 429 Too Many Requests.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buildlake_api_retries_total",
			Help: "CircleCI API requests retried after a 429, a 5xx, a timeout or a reset.",
		}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buildlake_skipped_runs_total",
			Help: "Scheduled runs skipped because the job's previous run was still going.",
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "buildlake_last_success_timestamp_seconds",
			Help: "Unix time of the end of the job's last successful run (0: none yet).",
		}, []string{"job"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "buildlake_run_in_progress",
			Help: "1 while a run of the job is syncing, else 0.",
		}, []string{"job"}),
	}
	m.registry.MustRegister(m.runs, m.duration, m.rows, m.requests, m.rateLimited, m.retries,
		m.skipped, m.lastSuccess, m.running,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, j := range jobs {
		for _, st := range statuses {
			m.runs.WithLabelValues(j.Name, st)
		}
		m.skipped.WithLabelValues(j.Name)
		m.lastSuccess.WithLabelValues(j.Name)
		m.running.WithLabelValues(j.Name)
	}
	for _, t := range []string{"builds", "steps", "artifacts", "tests"} {
		m.rows.WithLabelValues(t)
	}
	return m
}

// observe adds one finished run to the series.
func (m *metrics) observe(job, status string, elapsed time.Duration, r pipeline.Result) {
	m.runs.WithLabelValues(job, status).Inc()
	m.duration.WithLabelValues(job).Observe(elapsed.Seconds())
	m.rows.WithLabelValues("builds").Add(float64(r.Builds))
	m.rows.WithLabelValues("steps").Add(float64(r.Steps))
	m.rows.WithLabelValues("artifacts").Add(float64(r.Artifacts))
	m.rows.WithLabelValues("tests").Add(float64(r.Tests))
	var answered int64
	for code, n := range r.RequestsByStatus {
		m.requests.WithLabelValues(strconv.Itoa(code)).Add(float64(n))
		answered += n
	}
	// Attempts that got no status (reset, timeout, truncated headers) still cost a request.
	if none := r.Requests - answered; none > 0 {
		m.requests.WithLabelValues("none").Add(float64(none))
	}
	m.rateLimited.Add(float64(r.RateLimited))
	m.retries.Add(float64(r.Retries))
	if status == pipeline.StatusSuccess {
		m.lastSuccess.WithLabelValues(job).Set(float64(r.FinishedAt.UnixMilli()) / 1000)
	}
}
