"""Derived panel variables of seed 000 (pure functions; the panel loader stores their results).

References
----------
Seed 000: 京津冀城市群产业结构升级对碳排放的影响 (spatial Durbin study of 13 JJJ cities,
2006-2019), eq. (1), Table 1 and eq. (2); IPCC (2006) Guidelines for National Greenhouse Gas
Inventories, vol. 2 (energy).
"""

from __future__ import annotations

import numpy as np

#: Seed 000 Table 1: standard-coal conversion factor S_n (tce per physical unit) and carbon
#: emission factor K_n (t C per tce) of each fuel. Physical units: t for coal and fuel oil,
#: 1,000 m3 for natural gas (1.33 kgce/m3).
FUEL_FACTORS: dict[str, tuple[float, float]] = {
    "coal": (0.7143, 0.7559),
    "natural_gas": (1.3300, 0.4483),
    "fuel_oil": (1.4286, 0.6185),
}

#: Mass ratio of CO2 to C (molar masses 44 and 12).
CO2_PER_C = 44.0 / 12.0

#: Scale from the catalogue units to Table 1's physical units: coal and fuel oil are given in
#: 10^4 t (factor 1 keeps the result in 10^4 t), natural gas in 10^8 m3 = 10^5 x 1,000 m3,
#: i.e. 10 times the 10^4 scale of the other fuels.
CATALOGUE_SCALE: dict[str, float] = {"coal": 1.0, "natural_gas": 10.0, "fuel_oil": 1.0}


def co2_emissions(coal: np.ndarray, natural_gas: np.ndarray, fuel_oil: np.ndarray) -> np.ndarray:
    """CO2 emissions from fuel consumption by the IPCC method (seed 000 eq. 1, Table 1).

    .. math:: CO_2 = \\frac{44}{12} \\sum_n E_n S_n K_n

    with :math:`E_n` the consumption of fuel n, :math:`S_n` its standard-coal factor and
    :math:`K_n` its carbon factor (:data:`FUEL_FACTORS`); 44/12 converts carbon to CO2
    (seed 000 eq. 1 gives carbon C; the 44/12 step is the IPCC conversion).

    Parameters
    ----------
    coal : array_like
        Coal consumption, 10^4 t.
    natural_gas : array_like
        Natural-gas consumption, 10^8 m3.
    fuel_oil : array_like
        Fuel-oil consumption, 10^4 t.

    Returns
    -------
    numpy.ndarray
        CO2 emissions, 10^4 t CO2.
    """
    total = np.zeros(np.broadcast(coal, natural_gas, fuel_oil).shape)
    for fuel, e in (("coal", coal), ("natural_gas", natural_gas), ("fuel_oil", fuel_oil)):
        s, k = FUEL_FACTORS[fuel]
        total = total + np.asarray(e, dtype=float) * CATALOGUE_SCALE[fuel] * s * k
    return CO2_PER_C * total


def co2_intensity(co2: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    """CO2 intensity, seed 000 Table 2: CO2 emissions / GDP.

    Parameters
    ----------
    co2 : array_like
        CO2 emissions, 10^4 t.
    gdp : array_like
        GDP, 10^8 yuan.

    Returns
    -------
    numpy.ndarray
        t CO2 per 10^4 yuan (10^4 t / 10^8 yuan).
    """
    return np.asarray(co2, dtype=float) / np.asarray(gdp, dtype=float)


def energy_intensity(energy: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    """Energy intensity ``ei`` (seed 000 Table 2): energy consumption / GDP.

    Parameters
    ----------
    energy : array_like
        Total energy consumption, 10^4 tce.
    gdp : array_like
        GDP, 10^8 yuan.

    Returns
    -------
    numpy.ndarray
        tce per 10^4 yuan.
    """
    return np.asarray(energy, dtype=float) / np.asarray(gdp, dtype=float)


def isu_index(output: np.ndarray, employment: np.ndarray) -> np.ndarray:
    """Industrial-structure upgrading index (seed 000 eq. 2, after Zang).

    .. math:: isu = \\sum_{i=1}^{3} k_i \\frac{p_i}{l_i}, \\qquad k_i = \\frac{p_i}{\\sum_j p_j}

    where :math:`p_i` is the output (value added) of the primary, secondary and tertiary
    sector, :math:`l_i` its employment, so :math:`p_i / l_i` is sector labour productivity
    and :math:`k_i` the sector's share of GDP.

    Parameters
    ----------
    output : array_like, shape (..., 3)
        Sector value added, 10^8 yuan (primary, secondary, tertiary).
    employment : array_like, shape (..., 3)
        Sector employment, 10^4 persons.

    Returns
    -------
    numpy.ndarray
        isu in 10^4 yuan per person (share-weighted labour productivity).
    """
    p = np.asarray(output, dtype=float)
    lab = np.asarray(employment, dtype=float)
    k = p / p.sum(axis=-1, keepdims=True)
    return (k * p / lab).sum(axis=-1)
