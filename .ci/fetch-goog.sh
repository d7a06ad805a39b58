#!/usr/bin/env bash
# Fetches backtesting.py 0.6.6's sample data (GOOG.csv, EURUSD.csv, BTCUSD.csv) for the
# finml-trading parity tests. The files are AGPL-3.0, so they are never committed: they are
# unpacked from the PyPI package into target/test-data/ (git-ignored) at test set-up.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
destination="$root/target/test-data"
files=(GOOG.csv EURUSD.csv BTCUSD.csv)

missing=()
for file in "${files[@]}"; do
    [[ -s "$destination/$file" ]] || missing+=("$file")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "fetch-goog: test data already in $destination"
    exit 0
fi

download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
python3 -m pip download --quiet --no-deps backtesting==0.6.6 -d "$download"
wheel="$(ls "$download"/backtesting-0.6.6*.whl)"
mkdir -p "$destination"
python3 - "$wheel" "$destination" "${files[@]}" <<'PY'
import sys, zipfile
wheel, destination, *files = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    for name in files:
        with open(f"{destination}/{name}", "wb") as out:
            out.write(archive.read(f"backtesting/test/{name}"))
PY
echo "fetch-goog: unpacked ${files[*]} into $destination"
