#!/usr/bin/env bash
# Builds every Worker and serves the whole API on http://127.0.0.1:${PORT:-12412} with
# wrangler dev: the gateway on the port, each route group behind its service binding, and
# one local D1 database kept in .botmem/state across restarts. Stop it with Ctrl-C.
#
# Environment: PORT (default 12412). Secrets come from .botmem/secrets.env, created on the
# first run; delete it to get a new JWT_SECRET (existing access tokens then stop working).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

port=${PORT:-12412}
state_dir=$repo_root/.botmem/state

bash "$repo_root/scripts/setup.sh"
bash "$repo_root/scripts/build.sh"
write_dev_vars
apply_migrations "$state_dir"

echo "Serving the API on http://127.0.0.1:$port/api (state in $state_dir)"
cd "$repo_root"
exec "$wrangler_bin" dev "${wrangler_configs[@]}" --ip 127.0.0.1 --port "$port" \
    --persist-to "$state_dir"
