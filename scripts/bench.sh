#!/usr/bin/env bash
# Reproducible benchmarks of issue 9 (results and how to read them: docs/benchmarks.md).
#
#   scripts/bench.sh          quick: every scenario at a small size (a few minutes)
#   scripts/bench.sh full     the sizes of the targets: 100k builds for peak RSS, 1M builds for
#                             the queries (generating that database takes a few minutes once;
#                             BUILDLAKE_BENCH_DB keeps it between runs)
#
# Each `buildlake bench` starts the simulated CircleCI on loopback with a latency and a rate
# limit, runs `buildlake sync` as a child process (full, then incremental), and prints requests,
# seconds, requests/s against the ideal, steps/s and the child's peak RSS; then it loads the
# build-details bodies the simulator sent with our decode + transform + load and with DuckDB's
# own read_json + INSERT, and prints the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-quick}

echo "== machine"
echo "date:  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc)"
echo "cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
free -h | sed -n 1,2p
go version
echo "load:  $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews absolute numbers)"

bin=$(mktemp -d)/buildlake
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/buildlake
if ! "$bin" bench --help >/dev/null 2>&1; then
	echo "buildlake has no bench command: register newBenchCmd() in cmd/buildlake/root.go" >&2
	exit 1
fi

if [ "$scale" = full ]; then
	builds=100 projects=10 rss_small=10000 rss_big=100000 qbuilds=1000000
else
	builds=30 projects=10 rss_small=2000 rss_big=10000 qbuilds=20000
fi

echo
echo "== extraction: 50 ms latency, no server limit, concurrency 16 (adaptive pacer)"
"$bin" bench --projects "$projects" --builds "$builds" --latency 50ms
echo
echo "== extraction: the same with a fixed --rate 640 (twice the ideal 16 / 50 ms)"
"$bin" bench --projects "$projects" --builds "$builds" --latency 50ms --rate 640
echo
echo "== server rate limit 100/s, 50 ms latency (the adaptive pacer has to find the limit)"
"$bin" bench --projects "$projects" --builds "$builds" --latency 50ms --rate-limit 100
echo
echo "== incremental sync of 100 projects with nothing new (50 ms latency)"
"$bin" bench --projects 100 --builds 5 --latency 50ms
echo
echo "== peak RSS as history grows: $rss_small vs $rss_big builds (no latency, --rate 5000)"
"$bin" bench --projects $((rss_small / 1000 > 0 ? rss_small / 1000 : 1)) --builds 1000 --days 60 --latency 0 --rate 5000
"$bin" bench --projects $((rss_big / 1000)) --builds 1000 --days 60 --latency 0 --rate 5000

echo
echo "== Go benchmarks: load (Store.Write), transform, decode"
go test -run '^$' -bench 'WriteGrowing|WriteSteps' -benchtime 10x ./load/
BUILDLAKE_BENCH_BATCH=2000 go test -run '^$' -bench 'WriteGrowing' -benchtime 5x ./load/
go test -run '^$' -bench . -benchtime 20x ./transform/

echo
echo "== canned queries on $qbuilds builds ($((qbuilds * 20)) steps)"
BUILDLAKE_BENCH_BUILDS=$qbuilds go test -run '^$' -bench Queries -benchtime 3x -timeout 60m ./queries/
