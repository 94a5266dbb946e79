#!/usr/bin/env bash
# Installs PolicyLink (editable) and its Python dependencies into the project venv.
# Usage: scripts/install_python.sh VENV
#
# uv, installed into the venv by pip, resolves and installs the ~120 wheels in parallel: ~5 s
# on a fresh venv where pip takes ~75 s (docs/testing.md). When uv cannot be installed or
# fails, pip does the whole job as before. uv does not compile the wheels' bytecode: compiling
# all of them (~12,000 modules, a third of them their own tests) took 25-35 s, while the
# ~2,800 modules a run imports are compiled once on first import. That holds only where Python
# may write bytecode: `make test` and `make demo` run with PYTHONDONTWRITEBYTECODE emptied.
set -euo pipefail
venv="$1"
py="$venv/bin/python"
pip=("$py" -m pip install -q --disable-pip-version-check)

if "${pip[@]}" uv && "$venv/bin/uv" pip install -q --python "$py" -e '.[dev]'; then
  exit 0
fi
echo ">> uv was not available or failed; installing with pip" >&2
"${pip[@]}" --upgrade pip
"${pip[@]}" -e '.[dev]'
