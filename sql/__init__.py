"""Package data: the numbered migrations and the view files (``policylink.sql``).

This folder is a package only so that :mod:`importlib.resources` finds the SQL files in a
checkout, in an installed wheel and in the QGIS plugin zip alike; it holds no Python code.
"""
