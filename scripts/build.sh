#!/usr/bin/env bash
# Builds every Worker (the gateway and each route group) in release with worker-build, then
# prints each Worker's .wasm size and its gzip -9 size. Run scripts/setup.sh first.
#
# A Worker whose compiled .wasm and toolchain are unchanged since its last build keeps its
# build/ output: wasm-bindgen, wasm-opt and esbuild would only reproduce it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for bin in "$worker_build_bin" "$wasm_bindgen_bin" "$wasm_opt_bin" "$esbuild_bin"; do
    [[ -x $bin ]] || die "$bin not found: run scripts/setup.sh first"
done
# worker-build reads these instead of downloading its own copies, which fails offline.
export WASM_BINDGEN_BIN=$wasm_bindgen_bin WASM_OPT_BIN=$wasm_opt_bin ESBUILD_BIN=$esbuild_bin

toolchain="worker-build $worker_build_version, $("$wasm_bindgen_bin" --version)"
toolchain+=", $("$wasm_opt_bin" --version), esbuild $("$esbuild_bin" --version)"
stamp_dir=$target_dir/botmem-build
mkdir -p "$stamp_dir"

# Prints the package name in the Cargo.toml of folder $1.
package_name() {
    sed -n 's/^name = "\(.*\)"$/\1/p' "$1/Cargo.toml" | head -n 1
}

# Builds the Worker in folder $1 and adds its row (name, wasm bytes, gzip -9 bytes, build
# seconds) to rows.
build_worker() {
    local dir=$repo_root/$1 started=$SECONDS
    local package
    package=$(package_name "$dir")
    local compiled=$target_dir/wasm32-unknown-unknown/release/${package//-/_}.wasm
    local output=$dir/build/index_bg.wasm
    local stamp_file=$stamp_dir/$package.stamp

    # The same cargo invocation that worker-build makes (folder, flags and environment), so
    # the build it then starts finds everything fresh.
    (cd "$dir" && WASM_BINDGEN_USE_JS_SYS=1 cargo build --quiet --lib --release \
        --target wasm32-unknown-unknown)
    local stamp
    stamp="$(sha256sum "$compiled" | cut -d' ' -f1) $toolchain"
    if [[ -f $output && -f $dir/build/index.js && -f $stamp_file ]] \
        && [[ $(cat "$stamp_file") == "$stamp" ]]; then
        echo "$package: unchanged since its last build"
    else
        rm -f "$stamp_file"
        (cd "$dir" && "$worker_build_bin" --release)
        echo "$stamp" >"$stamp_file"
    fi
    local wasm_bytes gzip_bytes
    wasm_bytes=$(wc -c <"$output")
    gzip_bytes=$(gzip -9 -c "$output" | wc -c)
    rows+=("$(printf '%-24s %11s %11s %9s' "$package" "$wasm_bytes" "$gzip_bytes" \
        "$((SECONDS - started))")")
}

started=$SECONDS
rows=()
for worker_dir in "${worker_dirs[@]}"; do
    echo "Building $worker_dir"
    build_worker "$worker_dir"
done

printf '\n%-24s %11s %11s %9s\n' "Worker" "wasm bytes" "gzip -9" "seconds"
printf '%s\n' "${rows[@]}"
echo "Built ${#worker_dirs[@]} Workers in $((SECONDS - started)) s"
