#!/usr/bin/env bash
# Runs every test: the host tests of the workspace, then the end-to-end tests against a
# fresh local stack, then the Vectorize and Workers AI adapters against local fakes. The stack
# is the composition scripts/dev.sh serves (gateway plus every group Worker in one wrangler
# dev), with an empty D1 database in a temporary folder, on a free loopback port. Exits
# non-zero when any step fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Stops the stack and removes its state; on failure, prints the end of the stack's log.
cleanup() {
    local status=$?
    stop_stack "$status"
    exit "$status"
}
trap cleanup EXIT

started=$SECONDS
bash "$repo_root/scripts/setup.sh"

echo "== Host tests"
(cd "$repo_root" && cargo test --workspace --exclude botmem-e2e)

echo "== Build"
bash "$repo_root/scripts/build.sh"

echo "== Starting a fresh stack"
start_stack
echo "Stack ready on $base_url"

echo "== End-to-end tests"
(cd "$repo_root" && BOTMEM_BASE_URL=$base_url cargo test -p botmem-e2e)

# Vectorize and Workers AI do not run under wrangler dev, so their adapters are tested
# against the fakes in tests/fakes, on stacks that script starts and stops itself.
echo "== Vector backends against local fakes"
node --test "$repo_root/tests/fakes/"
bash "$repo_root/tests/fakes/run-alt-stack.sh"

echo "All tests passed in $((SECONDS - started)) s"
