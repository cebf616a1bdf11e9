#!/usr/bin/env bash
# Builds every Worker (the gateway and each route group) in release with worker-build, then
# prints each Worker's .wasm size and its gzip -9 size. Run scripts/setup.sh first.
#
# Steps: cargo compiles the Workers, then worker-build runs wasm-bindgen, wasm-opt and esbuild
# for each Worker whose compiled .wasm or toolchain changed since its last build, several at
# a time. An unchanged Worker keeps its build/ output, which those tools would only reproduce.
#
# Environment: BOTMEM_BUILD_JOBS, the number of worker-build runs at once (default: the
# number of CPUs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for bin in "$worker_build_bin" "$wasm_bindgen_bin" "$wasm_opt_bin" "$esbuild_bin"; do
    [[ -x $bin ]] || die "$bin not found: run scripts/setup.sh first"
done
# worker-build reads these instead of downloading its own copies, which fails offline.
export WASM_BINDGEN_BIN=$wasm_bindgen_bin WASM_OPT_BIN=$wasm_opt_bin ESBUILD_BIN=$esbuild_bin
# worker-build sets this for its own cargo build. The compile step below sets it too, so that
# build finds everything fresh.
export WASM_BINDGEN_USE_JS_SYS=1

jobs=${BOTMEM_BUILD_JOBS:-$(nproc)}
toolchain="worker-build $worker_build_version, $("$wasm_bindgen_bin" --version)"
toolchain+=", $("$wasm_opt_bin" --version), esbuild $("$esbuild_bin" --version)"
state_dir=$target_dir/botmem-build
mkdir -p "$state_dir"
started=$SECONDS

# Prints the package name in the Cargo.toml of folder $1.
package_name() {
    sed -n 's/^name = "\(.*\)"$/\1/p' "$repo_root/$1/Cargo.toml" | head -n 1
}

# Compiles the packages of Worker folders $@ to wasm in one cargo build, so their final LTO
# links run in parallel.
compile() {
    local args=() dir
    for dir in "$@"; do
        args+=(-p "$(package_name "$dir")")
    done
    (cd "$repo_root" && cargo build --quiet --lib --release --target wasm32-unknown-unknown \
        "${args[@]}")
}

# Cargo unifies features across the packages of one build. A Worker that enables the built-in
# embedder therefore compiles alone, because otherwise every Worker would carry the model.
together=()
for worker_dir in "${worker_dirs[@]}"; do
    if grep -q 'builtin-embedder' "$repo_root/$worker_dir/Cargo.toml"; then
        echo "Compiling $worker_dir"
        compile "$worker_dir"
    else
        together+=("$worker_dir")
    fi
done
echo "Compiling ${together[*]}"
compile "${together[@]}"

# Prints the stamp of Worker folder $1: its compiled wasm's sha256 and the toolchain.
stamp_of() {
    local package
    package=$(package_name "$1")
    echo "$(sha256sum "$target_dir/wasm32-unknown-unknown/release/${package//-/_}.wasm" \
        | cut -d' ' -f1) $toolchain"
}

# Runs worker-build in Worker folder $1, logging to the Worker's log file, and records its
# stamp when it succeeds.
post_process() {
    local dir=$1 package
    package=$(package_name "$dir")
    rm -f "$state_dir/$package.stamp"
    (cd "$repo_root/$dir" && "$worker_build_bin" --release) >"$state_dir/$package.log" 2>&1
    stamp_of "$dir" >"$state_dir/$package.stamp"
}

changed=()
for worker_dir in "${worker_dirs[@]}"; do
    package=$(package_name "$worker_dir")
    output=$repo_root/$worker_dir/build
    if [[ -f $output/index.js && -f $output/index_bg.wasm && -f $state_dir/$package.stamp ]] \
        && [[ $(cat "$state_dir/$package.stamp") == "$(stamp_of "$worker_dir")" ]]; then
        continue
    fi
    changed+=("$worker_dir")
done

if ((${#changed[@]} > 0)); then
    echo "Running worker-build ($jobs at a time) for ${changed[*]}"
fi
declare -A pid_dirs=()
failed=()
for worker_dir in "${changed[@]}"; do
    post_process "$worker_dir" &
    pid_dirs[$!]=$worker_dir
    if ((${#pid_dirs[@]} >= jobs)); then
        finished_pid=
        wait -n -p finished_pid || failed+=("${pid_dirs[$finished_pid]}")
        unset "pid_dirs[$finished_pid]"
    fi
done
for pid in "${!pid_dirs[@]}"; do
    wait "$pid" || failed+=("${pid_dirs[$pid]}")
done
for worker_dir in "${failed[@]}"; do
    log=$state_dir/$(package_name "$worker_dir").log
    echo "--- worker-build failed for $worker_dir; its log, $log:" >&2
    cat "$log" >&2
done
((${#failed[@]} == 0)) || die "worker-build failed for ${failed[*]}"

printf '\n%-24s %11s %11s  %s\n' "Worker" "wasm bytes" "gzip -9" "post-processed"
for worker_dir in "${worker_dirs[@]}"; do
    wasm=$repo_root/$worker_dir/build/index_bg.wasm
    rebuilt=no
    [[ " ${changed[*]} " == *" $worker_dir "* ]] && rebuilt=yes
    printf '%-24s %11s %11s  %s\n' "$(package_name "$worker_dir")" "$(wc -c <"$wasm")" \
        "$(gzip -9 -c "$wasm" | wc -c)" "$rebuilt"
done
echo "Built ${#worker_dirs[@]} Workers in $((SECONDS - started)) s"
