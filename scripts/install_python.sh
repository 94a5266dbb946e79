#!/usr/bin/env bash
# Installs PolicyLink (editable) and its Python dependencies into the project venv.
# Usage: scripts/install_python.sh VENV
#
# uv, installed into the venv by pip, resolves and installs the ~120 wheels in parallel: ~20 s
# on a fresh venv where pip takes ~75 s (docs/testing.md). When uv cannot be installed or
# fails, pip does the whole job as before. Both leave compiled bytecode in the venv (uv only
# when asked: --compile-bytecode), which matters where PYTHONDONTWRITEBYTECODE is set: every
# process would otherwise compile pandas, scipy, matplotlib ... from source on each import.
set -euo pipefail
venv="$1"
py="$venv/bin/python"
pip=("$py" -m pip install -q --disable-pip-version-check)

if "${pip[@]}" uv && "$venv/bin/uv" pip install -q --compile-bytecode --python "$py" -e '.[dev]'; then
  exit 0
fi
echo ">> uv was not available or failed; installing with pip" >&2
"${pip[@]}" --upgrade pip
"${pip[@]}" -e '.[dev]'
