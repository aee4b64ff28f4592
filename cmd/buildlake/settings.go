package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/buildlake/buildlake/queries"
	"github.com/buildlake/buildlake/schedules"
)

// globalFlags are the settings shared by every command (SPEC section 2).
// Precedence: flag > environment > config file > default.
type globalFlags struct {
	host      string
	tokenFile string
	db        string
	config    string
	logFormat string
}

var global globalFlags

// Defaults of SPEC section 2.
const (
	defaultHost = "https://circleci.com"
	defaultDB   = "buildlake.duckdb"
)

func addGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&global.host, "host", "", "CircleCI host; API base is HOST/api/v1.1 (env CIRCLECI_HOST, default https://circleci.com)")
	f.StringVar(&global.tokenFile, "token-file", "", "file holding the CircleCI API token (else env CIRCLECI_TOKEN or CIRCLE_TOKEN)")
	f.StringVar(&global.db, "db", "", "DuckDB database file (env BUILDLAKE_DB, default buildlake.duckdb)")
	f.StringVar(&global.config, "config", "", "YAML config file with host, token_file, db (flags and env override it)")
	f.StringVar(&global.logFormat, "log-format", "text", "log format when not on a terminal: text|json")
}

var errConfig = errors.New("could not read config")

// loadFileConfig reads the --config file: the scheduler's format (SPEC section 7), decoded
// strictly so a misspelt key is an error that names it. Plain commands use host, token_file,
// token_env and db from it.
func loadFileConfig() (schedules.Config, error) {
	if global.config == "" {
		return schedules.Config{}, nil
	}
	f, err := os.Open(global.config)
	if err != nil {
		return schedules.Config{}, usageError{fmt.Errorf("%w: %w", errConfig, err)}
	}
	defer f.Close()
	c, err := schedules.DecodeConfig(f)
	if err != nil {
		return schedules.Config{}, usageError{fmt.Errorf("%s: %w", global.config, err)}
	}
	return *c, nil
}

// first returns the first non-empty value.
func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// resolveHost applies flag > CIRCLECI_HOST > config > default.
func resolveHost() (string, error) {
	fc, err := loadFileConfig()
	if err != nil {
		return "", err
	}
	h := strings.TrimRight(first(global.host, os.Getenv("CIRCLECI_HOST"), fc.Host, defaultHost), "/")
	if !strings.HasPrefix(h, "http://") && !strings.HasPrefix(h, "https://") {
		return "", usageError{fmt.Errorf("--host %q: want a URL starting with https:// or http://", h)}
	}
	return h, nil
}

// resolveDBPath applies flag > BUILDLAKE_DB > config > default.
func resolveDBPath() (string, error) {
	fc, err := loadFileConfig()
	if err != nil {
		return "", err
	}
	return first(global.db, os.Getenv("BUILDLAKE_DB"), fc.DB, defaultDB), nil
}

// resolveToken applies --token-file > CIRCLECI_TOKEN > CIRCLE_TOKEN > config (token_file, or the
// env var named by token_env). An empty token is allowed: F/OSS projects are readable without one.
// Every token read is registered for redaction.
func resolveToken() (string, error) {
	fc, err := loadFileConfig()
	if err != nil {
		return "", err
	}
	tok := ""
	switch {
	case global.tokenFile != "":
		tok, err = readTokenFile(global.tokenFile)
	case os.Getenv("CIRCLECI_TOKEN") != "":
		tok = os.Getenv("CIRCLECI_TOKEN")
	case os.Getenv("CIRCLE_TOKEN") != "":
		tok = os.Getenv("CIRCLE_TOKEN")
	case fc.TokenFile != "":
		tok, err = readTokenFile(fc.TokenFile)
	case fc.TokenEnv != "":
		tok = os.Getenv(fc.TokenEnv)
	}
	if err != nil {
		return "", err
	}
	tok = strings.TrimSpace(tok)
	if tok != "" {
		secrets = append(secrets, tok)
	}
	return tok, nil
}

func readTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usageError{fmt.Errorf("token file: %w", err)}
	}
	return string(b), nil
}

// redactAll removes every known secret from s before it is printed.
func redactAll(s string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// secrets lists the token values this process has read, for redactAll.
var secrets []string

// newLogger writes structured logs to stderr in the chosen format.
func newLogger(w io.Writer) (*slog.Logger, error) {
	switch global.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format %q: want text or json", global.logFormat)}
}

// isTerminal reports whether f is a terminal (progress bars only there).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// parseSince reads --since as the query commands do (queries.ParseTime): a date (2026-01-01), an
// RFC 3339 time, or an age back from now (30d, 2w, 12h).
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := queries.ParseTime(s, now)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--since: %w", err)}
	}
	return t, nil
}
