package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/dashboards"
)

// serveOptions are the flags of `buildlake serve`.
type serveOptions struct {
	listen      string
	allowRemote bool
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the dashboard and its JSON API over the database (read-only)",
		Long: "Serve the dashboard page and /api/query/<name>, /api/kpis, /api/filters over the database.\n" +
			"The database is opened read-only per request, so a sync can run beside it; while a sync\n" +
			"holds the file, the last good answer is shown with its time. Binds loopback only unless\n" +
			"--allow-remote is given (the dashboard has no authentication).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on (host:port)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback listen address (put an authenticating proxy in front)")
	return cmd
}

func runServe(ctx context.Context, cmd *cobra.Command, o serveOptions) error {
	if err := dashboards.CheckListenAddr(o.listen, o.allowRemote); err != nil {
		return usageError{err}
	}
	dbPath, err := resolveDBPath()
	if err != nil {
		return err
	}
	logger, err := newLogger(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("could not listen on %s: %w", o.listen, err)
	}
	srv := &http.Server{
		Handler:           dashboards.Handler(dashboards.Options{DBPath: dbPath, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(cmd.OutOrStdout(), "dashboard: http://%s/ (database %s, read-only)\n", ln.Addr(), dbPath)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dashboard server stopped: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("could not shut the dashboard down cleanly: %w", err)
	}
	return nil
}
