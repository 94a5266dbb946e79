"""Processing algorithm ``gistar``: Getis-Ord Gi* hot and cold spots.

Every number comes from :func:`policylink.analyses.lisa.run_lisa` (esda underneath).
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QVariant

from ..local_statistic import _LocalStatistic


class GetisOrdGiStar(_LocalStatistic):
    """Getis-Ord Gi* hot and cold spots."""

    _name = "gistar"
    _requires = ("esda",)
    _display = "Getis-Ord Gi* hot spots"
    _help = (
        "Getis-Ord Gi* (Ord and Getis 1995; each unit in its own neighbourhood) with analytic z "
        "and seeded permutation p-values. Output fields: gi_g, gi_z (analytic z), gi_zsim, gi_p, "
        "gi_sig and gi_cl ('hot spot', 'cold spot', 'not significant')."
    )
    style = "gistar"

    statistic = "gi_star"

    def out_columns(self):  # noqa: D102
        return [
            ("gi_g", "Gi_star", QVariant.Double),
            ("gi_z", "z_norm", QVariant.Double),
            ("gi_zsim", "z_sim", QVariant.Double),
            ("gi_p", "p_sim", QVariant.Double),
            ("gi_sig", "significant", QVariant.Bool),
            ("gi_cl", "cluster", QVariant.String),
        ]
