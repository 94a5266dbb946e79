"""Compile the plugin's Qt translation sources (``.ts``) into ``.qm`` files with lrelease."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "qgis_plugin" / "i18n"


def main() -> int:
    """Build every ``qgis_plugin/i18n/*.ts`` into a ``.qm`` beside it; return an exit code."""
    sources = sorted(I18N.glob("*.ts"))
    if not sources:
        return 0
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    if not Path(lrelease).exists():
        print("lrelease not found: apt-get install qttools5-dev-tools", file=sys.stderr)
        return 1
    for ts in sources:
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
