"""Write the README screenshots: two report figures drawn from the database.

Usage (after ``make demo`` or ``policylink load bundled``)::

    .venv/bin/python scripts/make_screenshots.py [--lang en|zh] [--out docs/screenshots]

Draws the national low-carbon pilot map (seed 002 Fig. 2 layout) and the Jing-Jin-Ji
coordination-link map (seed 001 Fig. 2 layout) with the same code as the report
(:func:`policylink.figures.render_map`), from the database of ``DATABASE_URL`` or the embedded
one of this checkout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from policylink.etl import db as dbmod
from policylink.figures import JJJ, MapRequest, render_map
from policylink.maps import save_figure
from policylink.paths import ROOT

SHOTS = (
    ("pilots_map.png", MapRequest("pilots")),
    ("jjj_links_map.png", MapRequest("links", within=JJJ)),
)


def main(argv: list[str] | None = None) -> int:
    """Render the screenshots; returns the process exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=["en", "zh"], default="en")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args(argv)
    with dbmod.connect() as conn:
        for name, req in SHOTS:
            fig, _ = render_map(conn, MapRequest(**{**req.__dict__, "lang": args.lang}))
            path = save_figure(fig, args.out / name)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
