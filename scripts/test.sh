#!/usr/bin/env bash
# The test command from the README: every package's tests, with -race on the packages that run
# goroutines (the race detector needs cgo, which DuckDB needs anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
race_pkgs=$(go list ./extract/... ./pipeline/... ./schedules/... ./dashboards/... ./cmd/... 2>/dev/null || true)
other_pkgs=$(go list ./... | grep -vxF -f <(printf '%s\n' $race_pkgs) || true)
if [ -n "$race_pkgs" ]; then go test -race -count=1 -timeout 15m $race_pkgs; fi
if [ -n "$other_pkgs" ]; then go test -count=1 -timeout 15m $other_pkgs; fi
