"""Package data: the bundled real and SYNTHETIC data sets (``policylink.data``).

This folder is a package only so that :mod:`importlib.resources` finds the files in a checkout,
in an installed wheel and in the QGIS plugin zip alike; sources and licences are in README.md.
"""
