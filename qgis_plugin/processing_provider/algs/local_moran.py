"""Processing algorithm ``localmoran``: local Moran's I (LISA) clusters, in GeoDa colours.

Every number comes from :func:`policylink.analyses.lisa.run_lisa` (esda underneath).
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QVariant

from ..local_statistic import _LocalStatistic


class LocalMoran(_LocalStatistic):
    """Local Moran's I (LISA) with cluster labels, styled in GeoDa colours."""

    _name = "localmoran"
    _requires = ("esda",)
    _display = "Local Moran's I (LISA clusters)"
    _help = (
        "Local Moran's I (Anselin 1995) with conditional permutation p-values (seeded) and "
        "optional FDR or Bonferroni control. Output fields: lisa_i (local I), lisa_q (quadrant "
        "HH, LH, LL, HL), lisa_z, lisa_p (pseudo p), lisa_sig and lisa_cl (the quadrant when "
        "significant, else 'not significant'), styled with GeoDa's LISA colours. Beside it the "
        "significance map: lisa_pcl, the class of the pseudo p-value (p <= 0.001, 0.01, 0.05, "
        "not significant; unadjusted, as GeoDa's significance map), styled in greens."
    )
    style = "lisa"
    prefix = "lisa"
    significance_map = True

    statistic = "local_moran"

    def out_columns(self):  # noqa: D102
        return [
            ("lisa_i", "Ii", QVariant.Double),
            ("lisa_q", "quadrant", QVariant.String),
            ("lisa_z", "z_sim", QVariant.Double),
            ("lisa_p", "p_sim", QVariant.Double),
            ("lisa_sig", "significant", QVariant.Bool),
            ("lisa_cl", "cluster", QVariant.String),
        ]
