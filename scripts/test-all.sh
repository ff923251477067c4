#!/usr/bin/env bash
# Runs every test of MemLens: build and type-check, TypeScript unit tests, Python helper tests
# (pytest, the helper under each Python 3.8-3.13 found), and the end-to-end tests in a real VS Code
# (code-server + Chromium; scripts/install-tools.sh installs them). Stops at the first red layer.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
step() { echo; echo "=== $* ==="; }
step build;          npm run --silent build
step typecheck;      npm run --silent typecheck
step "unit tests";   npm run --silent test:unit
step "helper tests"; npm run --silent test:helper
step package;        npm run --silent package
step "end-to-end tests in a real VS Code"; npm run --silent test:e2e
echo; echo "all tests passed"
