#!/usr/bin/env bash
# Installs what building and running the Workers needs, skipping what is already in place:
# the wasm32-unknown-unknown Rust target, the npm packages in package-lock.json (wrangler,
# binaryen's wasm-opt, esbuild), and worker-build and wasm-bindgen-cli built by cargo install
# into $BOTMEM_TOOLS_DIR (default ~/.cache/botmem/tools). A first run spends several minutes
# compiling the two cargo tools. A run with everything in place takes about a second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for tool in cargo rustup node npm sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found; install it and run again"
done

# wrangler 4.86.0 needs Node 20.3 or newer (its engines field).
node_version=$(node --version)
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 3) ? 0 : 1)'; then
    die "Node $node_version is too old: wrangler 4.86.0 needs Node 20.3 or newer"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "Adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
fi

# npm ci replaces node_modules, so it runs only when package-lock.json changed since the
# last successful run.
lock_stamp=$repo_root/node_modules/.botmem-package-lock.sha256
lock_sha256=$(sha256sum "$repo_root/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $lock_stamp || $(cat "$lock_stamp") != "$lock_sha256" ]]; then
    echo "Installing npm packages from package-lock.json"
    (cd "$repo_root" && npm ci --no-audit --no-fund)
    echo "$lock_sha256" >"$lock_stamp"
fi

# Installs crate $1 at version $2 into $tools_dir/$3-$2 unless binary $4 is already there.
# Extra arguments go to cargo install.
install_crate() {
    local crate=$1 version=$2 folder=$3 binary=$4
    shift 4
    local root=$tools_dir/$folder-$version
    if [[ -x $root/bin/$binary ]]; then
        return
    fi
    echo "Installing $crate $version into $root (several minutes)"
    cargo install --quiet --root "$root" "$@" "$crate@$version"
}

install_crate worker-build "$worker_build_version" worker-build worker-build --locked
# Not --locked: the lock file published with wasm-bindgen-cli 0.2.130 pins webpki-roots 1.0.11,
# which is yanked, so `cargo install --locked` fails to select a version.
install_crate wasm-bindgen-cli "$wasm_bindgen_version" wasm-bindgen-cli wasm-bindgen

echo "Tools ready: worker-build $("$worker_build_bin" --version)," \
    "$("$wasm_bindgen_bin" --version), $("$wasm_opt_bin" --version)," \
    "esbuild $("$esbuild_bin" --version), wrangler $("$wrangler_bin" --version)"
