# The commands that do everything (see README.md):
#   make run      builds the desktop app and opens it on your default vault
#   make test     installs what is missing, then runs every check CI runs
#   make package  builds an installable .deb
#   make bench    runs the benchmarks, side by side with SQLite and SQLCipher, the app's
#                 start-up and memory, and the parts map's layout (docs/BENCHMARKS.md)
#   make screenshots  runs the end-to-end tests and refreshes docs/screenshots
#   make types    regenerates the web UI's types from the Rust types (ui/src/lib/generated/)
.PHONY: setup ui display run test lint test-core test-shell test-ui types e2e screenshots package bench footprint

export PATH := $(HOME)/.cargo/bin:$(PATH)

setup:
	./scripts/setup-debian.sh

ui: setup
	cd ui && npm run build

# A window needs a display: say so before a long build rather than fail after it.
display:
	@[ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || { echo "make run opens the app's window, but this session has no display (neither DISPLAY nor WAYLAND_DISPLAY is set): run it from a desktop session." >&2; exit 1; }

run: display ui
	cargo build --release -p kapnotes-desktop
	./target/release/kapnotes-desktop

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p kapnotes-desktop --all-targets --features e2e-paths -- -D warnings
	cd ui && npm run check

test-core: setup
	cargo test --all-targets

# The shell's own tests: the command lists agree, and ui/src/lib/generated/contract.ts is
# what the Rust types generate (the shell embeds ui/dist, hence `ui`).
test-shell: ui
	cargo test -p kapnotes-desktop --features e2e-paths

test-ui: setup
	cd ui && npm test

# Rewrites ui/src/lib/generated/contract.ts from the Rust types (src-tauri/src/contract.rs).
types: ui
	KAPNOTES_REFRESH_TYPES=1 cargo test -p kapnotes-desktop --features e2e-paths --lib contract

# The real app, front end embedded, in a real WebKit window under Xvfb (with a window
# manager, so a test can close the window the way a person does).
# Screenshots go to target/e2e-screenshots; `make screenshots` refreshes docs/screenshots.
E2E_RUN = cd tests/e2e && dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" sh -c 'openbox >/dev/null 2>&1 & npm test'

# The drag source (src-tauri/examples/drag_source.rs) drops a real file on the window.
e2e: ui
	cargo build -p kapnotes-desktop --features e2e-paths --bin kapnotes-desktop --example drag_source
	$(E2E_RUN)

screenshots: ui
	cargo build -p kapnotes-desktop --features e2e-paths --bin kapnotes-desktop --example drag_source
	KAPNOTES_SCREENSHOTS=$(CURDIR)/docs/screenshots $(E2E_RUN)

test: lint test-core test-shell test-ui e2e

package: ui
	# The Tauri CLI, pinned; fetched on demand (only packaging needs it).
	cd src-tauri && npx --yes @tauri-apps/cli@2.12.5 build --bundles deb
	@ls -l target/release/bundle/deb/*.deb

# The app's cold start and memory (tests/e2e/footprint.mjs), in a release build under Xvfb.
footprint: ui
	cargo build --release -p kapnotes-desktop --features e2e-paths
	cd tests/e2e && KAPNOTES_APP=$(CURDIR)/target/release/kapnotes-desktop dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" sh -c 'openbox >/dev/null 2>&1 & node ./footprint.mjs'

# The core alone, then kapnotes side by side with plaintext SQLite and SQLCipher 4 (whose
# anchor builds apart, with its vendored OpenSSL); both tables land in docs/BENCHMARKS.md.
bench: setup
	cargo build --release --manifest-path benches/sqlcipher-anchor/Cargo.toml
	cargo bench --bench vault
	KAPNOTES_BENCH_DOCS=$(CURDIR)/docs/BENCHMARKS.md cargo bench --bench side_by_side
	$(MAKE) footprint
	cd ui && npm run bench
