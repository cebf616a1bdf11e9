#!/usr/bin/env bash
# Retrieval benchmark: builds the Workers, starts a fresh stack (empty database, free loopback
# port), imports the LoCoMo conversations through the HTTP API and prints retrieval quality,
# the same-run BM25 baseline, import rate and latency as JSON. Takes about two minutes after
# the build.
#
# usage: scripts/bench-locomo.sh [LOCOMO_JSON]
#   LOCOMO_JSON defaults to ../shared/data/locomo/locomo-dev.json beside the repository.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

data=${1:-$repo_root/../shared/data/locomo/locomo-dev.json}
[[ -f $data ]] || die "no LoCoMo data at $data: pass the path of locomo-dev.json"

cleanup() {
    local status=$?
    stop_stack "$status"
    exit "$status"
}
trap cleanup EXIT

bash "$repo_root/scripts/setup.sh" >/dev/null
bash "$repo_root/scripts/build.sh" >/dev/null
start_stack
echo "Stack ready on $base_url; importing $data" >&2
python3 "$repo_root/scripts/bench_locomo.py" "$base_url" "$data"
