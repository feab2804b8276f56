#!/usr/bin/env bash
# Installs what building and testing kapnotes needs on a fresh Debian/Ubuntu machine,
# and nothing that is already there. Safe to run again.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if ((${#need_apt[@]})); then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "kapnotes needs the Rust toolchain (cargo). Install it from https://rustup.rs and run this again." >&2
    exit 1
fi
# clippy and rustfmt come with rustup's default profile; add them if this toolchain lacks them.
if command -v rustup >/dev/null 2>&1; then
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
fi
