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
#
# The Makefile creates the venv without pip: ensurepip installs pip and setuptools by running
# pip, which compiles their ~720 modules (~7 s of the venv's creation). Here the venv uses the
# pip Python already finds (Debian's python3-pip through the system site-packages, where it is
# installed); otherwise the same two wheels that Debian's ensurepip installs
# (/usr/share/python-wheels, from python3-venv's dependencies) are unpacked into the venv
# (~0.5 s; a wheel is a zip of the installed files and their record), and Python compiles the
# modules pip imports on first use. Where those wheels are missing, ensurepip does it.
set -euo pipefail
venv="$1"
py="$venv/bin/python"
pip=("$py" -m pip install -q --disable-pip-version-check)

if ! "$py" -m pip --version >/dev/null 2>&1; then
  wheels=()
  for name in pip setuptools; do
    w=$(ls /usr/share/python-wheels/"$name"-*-py3-none-any.whl 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$w" ] && wheels+=("$w")
  done
  if [ ${#wheels[@]} -eq 2 ]; then
    "$py" - "${wheels[@]}" <<'PY'
import sys
import sysconfig
import zipfile

for wheel in sys.argv[1:]:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(sysconfig.get_paths()["purelib"])
PY
  fi
  "$py" -m pip --version >/dev/null 2>&1 || "$py" -m ensurepip --default-pip
fi

if "${pip[@]}" uv && "$venv/bin/uv" pip install -q --python "$py" -e '.[dev]'; then
  exit 0
fi
echo ">> uv was not available or failed; installing with pip" >&2
"${pip[@]}" --upgrade pip
"${pip[@]}" -e '.[dev]'
