#!/usr/bin/env bash
# Runs every test of the project: Rust (core, CLI, benches compile), the fuzz
# targets' build and their saved reproducers, and the Python suite. Installs
# what it needs itself: a .venv with maturin, pytest and the test dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "Rust tests (workspace)"
cargo test --workspace --locked

step "Fuzz targets build and saved reproducers replay (fuzz/ is its own workspace)"
cargo build --locked --manifest-path fuzz/Cargo.toml
cargo test --locked --manifest-path fuzz/Cargo.toml

step "Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r grok-py/requirements-test.txt

step "Build and install the grok Python extension"
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./grok-py

step "Python tests"
cd "$root/grok-py"
"$root/.venv/bin/python" -m pytest -q tests
