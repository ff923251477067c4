#!/usr/bin/env bash
# Runs every test of MemLens: build and type-check, TypeScript unit tests, Python helper tests
# (pytest, the helper under each Python 3.8-3.13 found), the package (the .vsix, checked to carry the
# native sampler's modules by scripts/check-package.mjs), and the end-to-end tests in a real VS Code
# (code-server + Chromium). Stops at the first red layer. On a fresh clone it first installs what
# is missing (npm packages, pytest, the end-to-end tools): `npm test` is the whole recipe, and a
# second run finds everything in place and says so in one line each.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
step() { echo; echo "=== $* ==="; }
step set-up
# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "npm packages present"
fi
if ! python3 -m pytest --version >/dev/null 2>&1; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pytest >/dev/null
fi
# Chromium, Xvfb, GTK for the helper's GUI test, Node 24 and code-server: idempotent and quiet.
bash scripts/install-tools.sh --quiet
step build;          npm run --silent build
step typecheck;      npm run --silent typecheck
step "unit tests";   npm run --silent test:unit
step "helper tests"; npm run --silent test:helper
step package;        npm run --silent package
step "package contents"; node scripts/check-package.mjs
step "end-to-end tests in a real VS Code"; npm run --silent test:e2e
echo; echo "all tests passed"
