package main

import (
	"strings"

	"github.com/spf13/cobra"
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

func addGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&global.host, "host", "", "CircleCI host; API base is HOST/api/v1.1 (env CIRCLECI_HOST, default https://circleci.com)")
	f.StringVar(&global.tokenFile, "token-file", "", "file holding the CircleCI API token (else env CIRCLECI_TOKEN or CIRCLE_TOKEN)")
	f.StringVar(&global.db, "db", "", "DuckDB database file (env BUILDLAKE_DB, default buildlake.duckdb)")
	f.StringVar(&global.config, "config", "", "YAML config file (host, token_file, db, …)")
	f.StringVar(&global.logFormat, "log-format", "text", "log format when not on a terminal: text|json")
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
