"""``policylink map KIND --out FILE``: thematic maps from the database as PNG or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from policylink.analyses.base import DEFAULT_PERMUTATIONS, DEFAULT_SEED
from policylink.output import emit, format_option

KINDS = ("pilots", "adoption", "links", "lisa", "choropleth")
JJJ = "110000,120000,130000"


@click.command("map")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file: .png or .pdf.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--level",
    type=click.Choice(["prefecture", "county"]),
    default="prefecture",
    show_default=True,
    help="Unit level drawn (pilots: always prefectures).",
)
@click.option(
    "--within",
    default=None,
    help="Comma-separated codes; units whose code or any ancestor is listed. Default: all "
    f"units for pilots, Jing-Jin-Ji ({JJJ}) for adoption and links, all for the others.",
)
@click.option("--variable", default=None, help="Panel variable (choropleth, lisa).")
@click.option("--year", type=int, default=None, help="Year of the variable (choropleth, lisa).")
@click.option(
    "--scheme",
    default="Quantiles",
    show_default=True,
    help="mapclassify scheme for choropleth (Quantiles, EqualInterval, NaturalBreaks, ...).",
)
@click.option("-k", "k", type=int, default=5, show_default=True, help="Number of classes.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="LISA level.")
@click.option(
    "--permutations",
    type=int,
    default=DEFAULT_PERMUTATIONS,
    show_default=True,
    help="LISA draws.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="LISA random seed.")
@click.option("--title", default=None, help="Map title (a default is chosen per kind).")
@format_option()
def map_cmd(
    kind: str,
    out_file: str,
    lang: str,
    level: str,
    within: str | None,
    variable: str | None,
    year: int | None,
    scheme: str,
    k: int,
    alpha: float,
    permutations: int,
    seed: int,
    title: str | None,
    fmt: str,
) -> None:
    """Draw a map: KIND is pilots, adoption, links, lisa or choropleth.

    \b
    pilots      the three national low-carbon pilot batches (prefectures; seed 002 Fig. 2)
    adoption    window in which each city first issued coordination policies (seed 001 Fig. 1)
    links       inter-city coordination links, width = events, colour = kind (seed 001 Fig. 2)
    lisa        local Moran clusters of --variable in --year (GeoDa colours)
    choropleth  any --variable in --year, classed with mapclassify

    Each map has a legend, scale bar, north arrow and a source note that says whether the data
    are real or SYNTHETIC. Prints a one-row summary (file, units, note) in --format.
    """
    from policylink.errors import ConfigError
    from policylink.etl import db as dbmod
    from policylink.figures import MapRequest, render_map

    if Path(out_file).suffix.lower() not in (".png", ".pdf"):
        raise ConfigError(f"{out_file}: --out must end in .png or .pdf")

    req = MapRequest(
        kind=kind,
        lang=lang,
        level=level,
        within=within,
        variable=variable,
        year=year,
        scheme=scheme,
        k=k,
        alpha=alpha,
        permutations=permutations,
        seed=seed,
        title=title,
    )
    with dbmod.connect() as conn:
        fig, summary = render_map(conn, req)
    from policylink.maps import save_figure

    path = save_figure(fig, Path(out_file))
    emit({"file": str(path), **summary}, fmt)


def register(group: click.Group) -> None:
    """Add ``map`` to the main CLI group."""
    group.add_command(map_cmd)
