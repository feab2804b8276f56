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
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# pdftoppm and pdftotext: the document tests render every PDF and read its text.
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
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
# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests.
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked

# Front-end packages, exactly as locked.
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund)
[ -d tests/e2e/node_modules ] || (cd tests/e2e && npm ci --no-audit --no-fund)
