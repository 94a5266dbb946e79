"""Regenerate the SYNTHETIC panels in data/synthetic/ (deterministic; see etl/synthetic.py).

Usage: python scripts/make_synthetic.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policylink.etl.synthetic import make_jjj_panel, make_national_did_panel  # noqa: E402
from policylink.paths import DATA_DIR  # noqa: E402


def main() -> None:
    """Write both panels and their truth files."""
    out = DATA_DIR / "synthetic"
    out.mkdir(parents=True, exist_ok=True)
    for panel, stem in (
        (make_jjj_panel(), "jjj_panel"),
        (make_national_did_panel(), "national_did"),
    ):
        csv_path = out / f"{stem}_SYNTHETIC.csv"
        panel.frame.to_csv(csv_path, index=False, float_format="%.6f")
        (out / f"{stem}_truth.json").write_text(
            json.dumps(panel.truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {csv_path.name} ({len(panel.frame)} rows) and {stem}_truth.json")


if __name__ == "__main__":
    main()
