#!/usr/bin/env bash
# Reproduces the walk-forward table of BENCHMARKS.md's "Trading" section: each forecaster on
# GOOG.csv (train-bars 1000, step 250, seed 42, commission 0.002), with its wall time.
# Extra arguments go to every `finml trade walk-forward` (e.g. --epochs 2 for a quick look).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

bash .ci/fetch-goog.sh
cargo build --release --quiet --workspace
for model in lstm gru transformer seq2seq; do
    echo "== $model"
    /usr/bin/time -f "wall %e s" "$target/release/finml" trade walk-forward \
        --data target/test-data/GOOG.csv --model "$model" --train-bars 1000 --step 250 \
        --seed 42 --commission 0.002 "$@"
done
