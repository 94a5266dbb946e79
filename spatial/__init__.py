"""Spatial statistics for PolicyLink: pure estimators with no database or Qt imports.

Modules
-------
autocorr
    Global and local spatial autocorrelation (Moran's I by year, Moran scatter data, LISA with
    multiple-testing control, Getis-Ord Gi*, bivariate Moran), built on esda.
panel
    Spatial panel models (SAR, SEM, SDM) with fixed effects by concentrated maximum likelihood,
    the Lee-Yu (2010) correction, LeSage-Pace effects and model-choice tests.
"""
