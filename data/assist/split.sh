#!/bin/sh
# Splits messages.tsv into train.tsv and test.tsv, stratified and deterministic: within each
# intent, in file order, messages 2, 5 and 8 of every ten (1-based) go to test (30 %), the
# rest to train. Run from this folder: ./split.sh
set -eu
awk -F '\t' '
    { n = seen[$2]++ % 10 }
    n == 1 || n == 4 || n == 7 { print > "test.tsv"; next }
    { print > "train.tsv" }
' messages.tsv
