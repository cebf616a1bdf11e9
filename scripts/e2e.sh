#!/usr/bin/env bash
# Builds the Workers, starts a fresh stack on a free loopback port and runs the end-to-end
# tests against it. Arguments go to cargo test, so `scripts/e2e.sh --test contacts` runs one
# file. The stack and its database are removed afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

trap 'stop_stack $?' EXIT

bash "$repo_root/scripts/build.sh"
start_stack
echo "Stack ready on $base_url"
(cd "$repo_root" && BOTMEM_BASE_URL=$base_url cargo test -p botmem-e2e "$@")
