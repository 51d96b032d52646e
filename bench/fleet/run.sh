#!/usr/bin/env bash
# npm run bench:fleet: raises the open-file limit (each simulated agent holds a kept-alive socket,
# and each server instance one per agent it serves), then runs the benchmark with the arguments.
set -euo pipefail
want=65536
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
fi
echo "bench:fleet: open-file limit $(ulimit -n)" >&2
exec node --import tsx "$(dirname "$0")/fleet-load.ts" "$@"
