# Shared settings of setup.sh, build.sh, dev.sh and test.sh. Source it; do not run it.
#
# Tools built with cargo install live outside the checkout, one folder per name and version,
# so fresh clones (CI, new worktrees) reuse them. Override the folder with BOTMEM_TOOLS_DIR.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=${BOTMEM_TOOLS_DIR:-$HOME/.cache/botmem/tools}
target_dir=${CARGO_TARGET_DIR:-$repo_root/target}

worker_build_version=0.8.7
# The wasm-bindgen CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' \
    "$repo_root/Cargo.lock")
if [[ ! $wasm_bindgen_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "error: expected one wasm-bindgen version in Cargo.lock, found: $wasm_bindgen_version" >&2
    exit 1
fi

worker_build_bin=$tools_dir/worker-build-$worker_build_version/bin/worker-build
wasm_bindgen_bin=$tools_dir/wasm-bindgen-cli-$wasm_bindgen_version/bin/wasm-bindgen
# npm packages pinned in package-lock.json. worker-build runs these instead of downloading.
wasm_opt_bin=$repo_root/node_modules/binaryen/bin/wasm-opt
esbuild_bin=$repo_root/node_modules/esbuild/bin/esbuild
wrangler_bin=$repo_root/node_modules/.bin/wrangler

# Workers in the order wrangler dev loads them: the gateway first, because the first
# configuration is the one served on the port.
worker_dirs=(gateway functions/version functions/user-auth functions/api-keys functions/memories
    functions/memory-banks functions/contacts functions/agent)

# Wrangler runs offline here: no request.cf lookup and no usage metrics.
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

# Prints a message to stderr and exits.
die() {
    echo "error: $*" >&2
    exit 1
}

# wrangler -c arguments for every Worker, gateway first.
wrangler_configs=(-c "$repo_root/wrangler.toml")
for worker_dir in "${worker_dirs[@]:1}"; do
    wrangler_configs+=(-c "$repo_root/$worker_dir/wrangler.toml")
done
unset worker_dir

# Local secrets, made on first use and kept out of git. Every Worker gets them.
secrets_file=$repo_root/.botmem/secrets.env

# Creates $secrets_file with a new JWT_SECRET unless it exists, then writes each Worker's
# .dev.vars (which wrangler dev reads from the folder of each config): the secrets plus
# GIT_COMMIT. A file whose content is unchanged is left alone, so a running wrangler dev does
# not reload.
write_dev_vars() {
    if [[ ! -f $secrets_file ]]; then
        mkdir -p "$(dirname "$secrets_file")"
        (
            umask 077
            # 32 random bytes as 64 hex characters, twice the core's minimum key length.
            echo "JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$secrets_file"
        )
        echo "Created $secrets_file with a new JWT_SECRET"
    fi
    local commit vars dir
    commit=$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    vars="$(cat "$secrets_file")"$'\n'"GIT_COMMIT=$commit"
    for dir in "$repo_root" "${worker_dirs[@]/#/$repo_root/}"; do
        [[ $dir == "$repo_root/gateway" ]] && continue
        if [[ ! -f $dir/.dev.vars || $(cat "$dir/.dev.vars") != "$vars" ]]; then
            (umask 077 && echo "$vars" >"$dir/.dev.vars")
        fi
    done
}

# Applies the migrations in migrations/ to the local D1 database kept under folder $1.
apply_migrations() {
    (cd "$repo_root" && "$wrangler_bin" d1 migrations apply DB --local --persist-to "$1")
}

# Prints a free TCP port on 127.0.0.1. A process that binds the port before wrangler does
# makes wrangler exit, which fails the run.
free_port() {
    node -e 'const server = require("net").createServer();
             server.listen(0, "127.0.0.1", () => {
                 console.log(server.address().port);
                 server.close();
             });'
}

# Seconds start_stack waits for the stack to serve /api/version.
readiness_timeout_seconds=180

stack_pid=
scratch_dir=

# Starts a fresh stack with an empty D1 database in a new temporary folder ($scratch_dir), on
# a free loopback port: the composition scripts/dev.sh serves, or the wrangler -c arguments
# given. Returns once /api/version responds, with $base_url and $stack_pid set. The Workers
# must be built already.
start_stack() {
    local configs=("$@")
    [[ ${#configs[@]} -gt 0 ]] || configs=("${wrangler_configs[@]}")
    scratch_dir=$(mktemp -d "${TMPDIR:-/tmp}/botmem-stack.XXXXXX")
    write_dev_vars
    apply_migrations "$scratch_dir/state" >"$scratch_dir/migrations.log" 2>&1 \
        || { cat "$scratch_dir/migrations.log" >&2; die "applying the migrations failed"; }
    local port inspector_port deadline
    port=$(free_port)
    inspector_port=$(free_port)
    base_url=http://127.0.0.1:$port
    # setsid gives the stack its own process group, so stop_stack stops workerd with wrangler.
    (cd "$repo_root" && exec setsid "$wrangler_bin" dev "${configs[@]}" --ip 127.0.0.1 \
        --port "$port" --inspector-port "$inspector_port" --persist-to "$scratch_dir/state" \
        --show-interactive-dev-session=false </dev/null >"$scratch_dir/stack.log" 2>&1) &
    stack_pid=$!

    deadline=$((SECONDS + readiness_timeout_seconds))
    until curl --silent --fail --max-time 5 --output /dev/null "$base_url/api/version"; do
        kill -0 "$stack_pid" 2>/dev/null \
            || die "the stack exited before it served $base_url/api/version"
        ((SECONDS < deadline)) || die "the stack did not serve $base_url/api/version within" \
            "$readiness_timeout_seconds s"
        sleep 0.5
    done
}

# Stops the stack that start_stack started (wrangler and its workerd processes, one process
# group) and removes its state. Given a non-zero status, prints the end of the stack's log.
stop_stack() {
    local status=${1:-0}
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
    stack_pid=
    scratch_dir=
}
