#!/bin/sh
# Trains the intent transformer on data/assist/train.tsv with several seeds and measures each
# on data/assist/test.tsv: accuracy, macro-F1, out-of-scope precision/recall at the model's
# threshold, training seconds and scoring milliseconds per message.
# Usage (from the repository root): bench/assist/intent_transformer.sh [FINML] [SEEDS...]
set -eu
finml=${1:-target/debug/finml}
[ $# -gt 0 ] && shift
seeds=${*:-42 1 2}
out=$(mktemp -d)
echo "| seed | accuracy | macro-F1 | OOS precision | OOS recall | hand-offs | train s | ms/message |"
echo "|---|---|---|---|---|---|---|---|"
for seed in $seeds; do
    "$finml" assist train --data data/assist/train.tsv --model transformer --out "$out/$seed" \
        --seed "$seed" --quiet > /dev/null
    "$finml" assist eval --model "$out/$seed" --data data/assist/test.tsv --json > "$out/$seed.json"
    python3 - "$out/$seed" "$seed" <<'PY'
import json, sys
model, seed = sys.argv[1], sys.argv[2]
e = json.load(open(model + ".json"))
m = json.load(open(model + "/model.json"))
print(f"| {seed} | {e['accuracy']:.4f} | {e['macro_f1']:.4f} | {e['oos_precision']:.4f} | "
      f"{e['oos_recall']:.4f} | {e['handoffs']} | {m['train_seconds']:.1f} | {e['ms_per_message']:.3f} |")
PY
done
rm -rf "$out"
