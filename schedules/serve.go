package schedules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/buildlake/buildlake/load"
)

var errListen = errors.New("could not listen")

// RunOptions are what Run needs besides the config.
type RunOptions struct {
	Logger *slog.Logger
	// Dashboard, when set, builds the handler mounted at "/" on the listener (SPEC section 8),
	// over the scheduler's own store: no other process may open the file while it runs.
	Dashboard func(store *load.Store) http.Handler
	// Ready, when set, is called with the listener's address once /healthz and /metrics serve.
	Ready func(addr string)
}

// Run is the `buildlake schedule` process: it opens the store, serves HTTP, runs the jobs until
// ctx is done (SIGTERM), then shuts down: no new runs, the run in flight gets the grace period
// (a SIGINT or SIGTERM during it cancels at once), the store is closed.
func Run(ctx context.Context, cfg *Config, o RunOptions) (err error) {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// Listen first: a taken port fails start-up before the database is touched.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("%w on %s (listen): %w", errListen, cfg.Listen, err)
	}
	defer ln.Close()
	store, err := load.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	closeStore := true
	defer func() {
		if !closeStore {
			return
		}
		if cerr := store.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	s, err := New(ctx, cfg, store, log)
	if err != nil {
		return err
	}
	var dash http.Handler
	if o.Dashboard != nil {
		dash = o.Dashboard(store)
	}
	srv := &http.Server{Handler: s.Handler(dash), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	log.Info("scheduler started", "listen", ln.Addr().String(), "db", cfg.DB, "jobs", len(cfg.Jobs))
	if o.Ready != nil {
		o.Ready(ln.Addr().String())
	}
	s.Start()

	<-ctx.Done()
	log.Info("shutting down: no new runs; waiting for the run in flight", "grace_period", cfg.grace)
	hurry, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	serr := s.Shutdown(hurry)
	hctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(hctx)
	if serr != nil {
		// A run that does not return cannot have its store closed under it; the process exits
		// and DuckDB replays its WAL on the next open.
		closeStore = false
		return serr
	}
	log.Info("scheduler stopped")
	return nil
}
