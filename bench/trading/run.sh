#!/usr/bin/env bash
# Reproduces the "Trading" figures of BENCHMARKS.md: finml-trading against backtesting.py 0.6.6
# (and vectorbt, when it installs) on one GOOG backtest and the 75-run grid, in one run.
# Extra arguments go to compare.py (e.g. --rounds-grid 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

bash .ci/fetch-goog.sh
[[ -x bench/.venv/bin/python ]] || python3 -m venv bench/.venv
bench/.venv/bin/pip install --quiet backtesting==0.6.6
bench/.venv/bin/pip install --quiet vectorbt || echo "vectorbt did not install: its row stays empty"
cargo build --release --quiet -p finml-cli
cargo build --release --quiet -p finml-trading --example bench
bench/.venv/bin/python bench/trading/compare.py --goog target/test-data/GOOG.csv \
    --bench-binary "$target/release/examples/bench" --finml "$target/release/finml" "$@"
