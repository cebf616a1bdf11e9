#!/usr/bin/env bash
# Runs the end-to-end tests of the production vector backends (tests/e2e/tests/
# vector_backends.rs) against an alternate local stack. It runs every Worker as
# scripts/dev.sh does, except the memories Worker: memories.wrangler.toml binds it to the
# fake Vectorize index and the fake Workers AI of worker.mjs. It embeds with one of:
#
#   openai      EMBEDDER=openai, pointed at the fake OpenAI-compatible server (server.mjs)
#   workers-ai  EMBEDDER=workers-ai, through the AI binding to the fake Workers AI
#
# Usage: tests/fakes/run-alt-stack.sh [openai|workers-ai|all] [-- test binary arguments]
# Test binary arguments are libtest's, such as a test name filter or --nocapture.
# The default is all: one fresh stack per embedder, each with empty state and migrations
# applied. The Workers must be built (scripts/build.sh); set BOTMEM_BUILD=1 to build first.
#
# Each stack listens on a free loopback port. The script polls until it is ready, and at the
# end stops every process it started. It writes .dev.vars beside the two configs, so
# only one run may use this checkout at a time (a lock enforces that).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

fakes_dir=$repo_root/tests/fakes

embedders=(openai workers-ai)
if [[ $# -gt 0 && $1 != -- ]]; then
    case $1 in
        openai | workers-ai) embedders=("$1") ;;
        all) ;;
        *) die "unknown embedder $1: expected openai, workers-ai or all" ;;
    esac
    shift
fi
[[ ${1:-} == -- ]] && shift
test_args=("$@")

for tool in node curl flock; do
    command -v "$tool" >/dev/null || die "$tool not found; install it and run again"
done

mkdir -p "$target_dir"
exec {lock_fd}>"$target_dir/botmem-alt-stack.lock"
flock --nonblock "$lock_fd" || die "another run-alt-stack.sh is running in this checkout"

if [[ ${BOTMEM_BUILD:-0} == 1 ]]; then
    "$repo_root/scripts/build.sh"
fi
for worker_dir in "${worker_dirs[@]}"; do
    [[ -f $repo_root/$worker_dir/build/index.js ]] \
        || die "$worker_dir/build/index.js not found: run scripts/build.sh first"
done

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/botmem-alt-stack.XXXXXX")
server_pid=

# Sends SIGTERM to process $1 and waits for it to exit. wrangler stops its workerd itself.
stop_process() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    stop_stack
    stop_process "$server_pid"
    rm -f "$fakes_dir/.dev.vars"
    rm -rf "$run_dir"
}
trap cleanup EXIT

# Prints the last lines of log file $1 to stderr and exits with message $2.
fail_with_log() {
    echo "--- last lines of $1" >&2
    tail -n 40 "$1" >&2 || true
    die "$2"
}

# Writes the .dev.vars of the other Workers as scripts/dev.sh does, then prints their
# JWT_SECRET, so that the memories Worker accepts the tokens that user-auth issues.
group_jwt_secret() {
    write_dev_vars >&2
    local secret
    secret=$(sed -n 's/^JWT_SECRET=//p' "$secrets_file")
    [[ -n $secret ]] || die "no JWT_SECRET in $secrets_file: delete it and run again"
    echo "$secret"
}

# Starts the fake server and sets server_url and server_pid.
start_fake_server() {
    local log=$run_dir/server.log
    FAKE_OPENAI_API_KEY=$api_key node "$fakes_dir/server.mjs" --port 0 >"$log" 2>&1 &
    server_pid=$!
    server_url=
    for _ in $(seq 1 100); do
        server_url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$log")
        [[ -n $server_url ]] && return
        kill -0 "$server_pid" 2>/dev/null || fail_with_log "$log" "the fake server exited"
        sleep 0.1
    done
    fail_with_log "$log" "the fake server did not start within 10 s"
}

# Writes the per-run settings of the memories Worker and the fakes Worker for embedder $1.
write_fakes_dev_vars() {
    local embedder=$1
    {
        echo "JWT_SECRET=$jwt_secret"
        echo "EMBEDDER=$embedder"
        if [[ $embedder == openai ]]; then
            echo "EMBEDDING_MODEL=$openai_model"
            echo "EMBEDDING_BASE_URL=$server_url/v1"
            echo "EMBEDDING_API_KEY=$api_key"
        else
            echo "EMBEDDING_MODEL=$workers_ai_model"
        fi
        echo "FAKE_VECTORIZE_MIRROR_URL=$server_url/vectorize/snapshot"
    } >"$fakes_dir/.dev.vars"
}

# The wrangler -c arguments of the alternate stack: the memories Worker bound to the fakes.
alt_stack_configs() {
    local worker_dir
    configs=(-c "$repo_root/wrangler.toml")
    for worker_dir in "${worker_dirs[@]:1}"; do
        if [[ $worker_dir == functions/memories ]]; then
            configs+=(-c "$fakes_dir/memories.wrangler.toml")
        else
            configs+=(-c "$repo_root/$worker_dir/wrangler.toml")
        fi
    done
    configs+=(-c "$fakes_dir/fakes.wrangler.toml")
}

# Runs the tests against a fresh stack that embeds with $1.
run_with_embedder() {
    local embedder=$1
    local expected_model
    if [[ $embedder == openai ]]; then
        expected_model=openai:$openai_model
    else
        expected_model=workers-ai:$workers_ai_model
    fi

    start_fake_server
    write_fakes_dev_vars "$embedder"
    local configs
    alt_stack_configs
    start_stack "${configs[@]}"
    echo "Testing EMBEDDER=$embedder on $base_url (fake server $server_url)"

    local status=0
    (cd "$repo_root" && BOTMEM_BASE_URL=$base_url \
        BOTMEM_FAKE_SERVER_URL=$server_url BOTMEM_EXPECTED_MODEL=$expected_model \
        cargo test --quiet -p botmem-e2e --test vector_backends -- --ignored "${test_args[@]}") \
        || status=$?

    stop_stack "$status"
    stop_process "$server_pid"
    server_pid=
    return "$status"
}

jwt_secret=$(group_jwt_secret)
# A key for the fake OpenAI-compatible server, which rejects requests without it. Random,
# so that the test shows the configured key is the one sent.
api_key=fake-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
openai_model=fake-embed-384
workers_ai_model=@cf/baai/bge-small-en-v1.5

failed=()
for embedder in "${embedders[@]}"; do
    run_with_embedder "$embedder" || failed+=("$embedder")
done
if [[ ${#failed[@]} -gt 0 ]]; then
    die "vector backend tests failed with EMBEDDER=${failed[*]}"
fi
echo "Vector backend tests passed with EMBEDDER=${embedders[*]}"
