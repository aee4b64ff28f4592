package schedules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

var errShutdown = errors.New("could not stop the run in flight")

// cancelWait bounds how long Shutdown waits for a cancelled run to return before giving up on it.
const cancelWait = 10 * time.Second

// syncFunc is pipeline.Sync's signature; tests replace it to make a run slow.
type syncFunc func(ctx context.Context, store *load.Store, o pipeline.Options) (pipeline.Result, error)

// Scheduler runs a config's jobs against one store.
type Scheduler struct {
	cfg     *Config
	store   *load.Store
	log     *slog.Logger
	metrics *metrics
	health  *health
	crons   []*cron.Cron

	// turn is the store's single writer slot: a run holds it while it syncs.
	turn chan struct{}
	// runCtx is every run's context; Shutdown cancels it after the grace period.
	runCtx     context.Context
	cancelRuns context.CancelFunc
	// stopping is closed when Shutdown begins: runs still in jitter or waiting for their turn
	// give up instead of starting.
	stopping chan struct{}
	stopOnce sync.Once

	sync syncFunc
	now  func() time.Time
}

// New prepares a scheduler for a validated config over an open store. It marks runs left
// "running" by a process that died as failed (this process is the file's only writer now) and
// reads each job's last success for /healthz. Start begins scheduling.
func New(ctx context.Context, cfg *Config, store *load.Store, logger *slog.Logger) (*Scheduler, error) {
	if !cfg.validated {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, w := range cfg.Warnings() {
		logger.Warn("config: " + w)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Scheduler{
		cfg: cfg, store: store, log: logger,
		metrics: newMetrics(cfg.Jobs),
		turn:    make(chan struct{}, 1),
		runCtx:  runCtx, cancelRuns: cancel,
		stopping: make(chan struct{}),
		sync:     pipeline.Sync,
		now:      time.Now,
	}
	s.health = newHealth(cfg.Jobs, s.now(), func() time.Time { return s.now() })
	if err := s.recoverState(ctx); err != nil {
		cancel()
		return nil, err
	}
	for i := range cfg.Jobs {
		j := &cfg.Jobs[i]
		// One cron per job, so that the SkipIfStillRunning logger knows whose run it skipped.
		cl := cronLogger{log: logger.With("job", j.Name), skipped: s.metrics.skipped.WithLabelValues(j.Name)}
		c := cron.New(
			cron.WithLocation(cfg.location),
			cron.WithParser(cronParser),
			cron.WithLogger(cl),
			cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)),
		)
		c.Schedule(j.schedule, cron.FuncJob(func() { s.runJob(j) }))
		s.crons = append(s.crons, c)
	}
	return s, nil
}

// Start begins scheduling every job.
func (s *Scheduler) Start() {
	for i, c := range s.crons {
		c.Start()
		j := s.cfg.Jobs[i]
		s.log.Info("job scheduled", "job", j.Name, "cron", j.Cron, "timezone", s.cfg.location.String(),
			"next", j.schedule.Next(s.now().In(s.cfg.location)))
	}
}

// Handler serves /healthz and /metrics; other paths go to next (the dashboard) when not nil.
func (s *Scheduler) Handler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{Registry: s.metrics.registry}))
	if next != nil {
		mux.Handle("/", next)
	}
	return mux
}

// Shutdown stops scheduling, waits for the run in flight up to the grace period (or until ctx
// is done, e.g. on a second signal), then cancels it and waits for it to return, so that the
// store can be closed with no transaction open. It does not close the store.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stopping) })
	var waits []context.Context
	for _, c := range s.crons {
		waits = append(waits, c.Stop())
	}
	done := make(chan struct{})
	go func() {
		for _, w := range waits {
			<-w.Done()
		}
		close(done)
	}()
	grace := time.NewTimer(s.cfg.grace)
	defer grace.Stop()
	select {
	case <-done:
		s.cancelRuns()
		return nil
	case <-grace.C:
		s.log.Warn("grace period over: cancelling the run in flight", "grace_period", s.cfg.grace)
	case <-ctx.Done():
		s.log.Warn("cancelling the run in flight now")
	}
	s.cancelRuns()
	select {
	case <-done:
		return nil
	case <-time.After(cancelWait):
		return fmt.Errorf("%w within %s of cancelling it", errShutdown, cancelWait)
	}
}

// jitter returns the random delay before a run.
func (s *Scheduler) jitter() time.Duration {
	if s.cfg.jitter <= 0 {
		return 0
	}
	return rand.N(s.cfg.jitter + 1)
}

// cronLogger sends cron's messages to slog and counts the runs SkipIfStillRunning skips.
type cronLogger struct {
	log     *slog.Logger
	skipped interface{ Inc() }
}

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.skipped.Inc()
		l.log.Warn("run skipped: the previous run of this job has not finished (or is waiting for its turn on the store)")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
