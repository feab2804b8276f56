# The commands that do everything (see README.md):
#   make run      builds the desktop app and opens it on your default vault
#   make test     installs what is missing, then runs every check CI runs
#   make package  builds an installable .deb
#   make bench    runs the core benchmark and the parts map's layout benchmark (docs/BENCHMARKS.md)
.PHONY: setup ui run test lint test-core test-ui e2e package bench

export PATH := $(HOME)/.cargo/bin:$(PATH)

setup:
	./scripts/setup-debian.sh

ui: setup
	cd ui && npm run build

run: ui
	cargo build --release -p kapnotes-desktop
	./target/release/kapnotes-desktop

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cd ui && npm run check

test-core: setup
	cargo test --all-targets

test-ui: setup
	cd ui && npm test

# The real app, front end embedded, in a real WebKit window under Xvfb (with a window
# manager, so a test can close the window the way a person does).
e2e: ui
	cargo build -p kapnotes-desktop --features e2e-paths
	cd tests/e2e && dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" sh -c 'openbox >/dev/null 2>&1 & npm test'

test: lint test-core test-ui e2e

package: ui
	# The Tauri CLI, pinned; fetched on demand (only packaging needs it).
	cd src-tauri && npx --yes @tauri-apps/cli@2.12.5 build --bundles deb
	@ls -l target/release/bundle/deb/*.deb

bench: setup
	cargo bench --bench vault
	cd ui && npm run bench
