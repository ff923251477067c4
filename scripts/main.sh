#!/usr/bin/env bash
# The main job in one command: installs MemLens's npm packages if needed, builds, and profiles a
# Python program with the `memlens` CLI (the same helper and model as the extension), printing
# the hottest lines at exit and at peak. Usage: bash scripts/main.sh [script.py [args...]]
# Without arguments it profiles samples/inventory.py. The JSON snapshot goes to out/main-snapshot.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/esbuild ] || npm ci --no-audit --no-fund
npm run --silent build
if [ $# -eq 0 ]; then set -- samples/inventory.py; fi
exec node out/cli.js profile --json out/main-snapshot.json "$@"
