# The two commands that do everything (see README.md):
#   make run   builds kapnotes and shows how to use it (the desktop app comes later)
#   make test  installs what is missing, then runs every check CI runs
.PHONY: setup run test bench lint

setup:
	./scripts/setup-debian.sh

run: setup
	cargo build --release --bin kapnotes
	./target/release/kapnotes --help

lint: setup
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

test: lint
	cargo test --all-targets

bench: setup
	cargo bench --bench vault
