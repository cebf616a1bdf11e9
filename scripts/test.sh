#!/usr/bin/env bash
# Runs every test: the host tests of the workspace, then the end-to-end tests against a
# fresh local stack, then the Vectorize and Workers AI adapters against local fakes. The stack
# is the composition scripts/dev.sh serves (gateway plus every group Worker in one wrangler
# dev), with an empty D1 database in a temporary folder, on a free loopback port. Exits
# non-zero when any step fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readiness_timeout_seconds=180

# Prints a free TCP port on 127.0.0.1. A process that binds the port before wrangler does
# makes wrangler exit, which fails the run.
free_port() {
    node -e 'const server = require("net").createServer();
             server.listen(0, "127.0.0.1", () => {
                 console.log(server.address().port);
                 server.close();
             });'
}

stack_pid=
scratch_dir=

# Stops the stack (wrangler and the workerd processes it started, one process group) and
# removes its state. On failure, prints the end of the stack's log.
cleanup() {
    local status=$?
    if [[ -n $stack_pid ]] && kill -0 "$stack_pid" 2>/dev/null; then
        kill -TERM -- "-$stack_pid" 2>/dev/null || true
        for _ in {1..20}; do
            kill -0 "$stack_pid" 2>/dev/null || break
            sleep 0.5
        done
        # A process that ignored SIGTERM for 10 s, such as a stuck workerd, is killed.
        kill -KILL -- "-$stack_pid" 2>/dev/null || true
        wait "$stack_pid" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -n $scratch_dir && -f $scratch_dir/stack.log ]]; then
        echo "--- last 40 lines of the stack's log ---" >&2
        tail -n 40 "$scratch_dir/stack.log" >&2
    fi
    [[ -n $scratch_dir ]] && rm -rf "$scratch_dir"
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
scratch_dir=$(mktemp -d "${TMPDIR:-/tmp}/botmem-test.XXXXXX")
write_dev_vars
apply_migrations "$scratch_dir/state" >"$scratch_dir/migrations.log" 2>&1 \
    || { cat "$scratch_dir/migrations.log" >&2; die "applying the migrations failed"; }
port=$(free_port)
inspector_port=$(free_port)
base_url=http://127.0.0.1:$port
# setsid gives the stack its own process group, so cleanup stops workerd with wrangler.
(cd "$repo_root" && exec setsid "$wrangler_bin" dev "${wrangler_configs[@]}" --ip 127.0.0.1 \
    --port "$port" --inspector-port "$inspector_port" --persist-to "$scratch_dir/state" \
    --show-interactive-dev-session=false </dev/null >"$scratch_dir/stack.log" 2>&1) &
stack_pid=$!

deadline=$((SECONDS + readiness_timeout_seconds))
until curl --silent --fail --max-time 5 --output /dev/null "$base_url/api/version"; do
    kill -0 "$stack_pid" 2>/dev/null || die "the stack exited before it served $base_url/api/version"
    ((SECONDS < deadline)) || die "the stack did not serve $base_url/api/version within" \
        "$readiness_timeout_seconds s"
    sleep 0.5
done
echo "Stack ready on $base_url"

echo "== End-to-end tests"
(cd "$repo_root" && BOTMEM_BASE_URL=$base_url cargo test -p botmem-e2e)

# Vectorize and Workers AI do not run under wrangler dev, so their adapters are tested
# against the fakes in tests/fakes, on stacks that script starts and stops itself.
echo "== Vector backends against local fakes"
node --test "$repo_root/tests/fakes/"
bash "$repo_root/tests/fakes/run-alt-stack.sh"

echo "All tests passed in $((SECONDS - started)) s"
