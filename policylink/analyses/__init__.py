"""Analyses: one function per analysis, from inputs + options to a result that renders itself.

Every front-end (CLI commands, report sections, QGIS Processing algorithms, the dock) calls these
functions and shows their results; none of them rebuilds inputs, weights or tables of its own.
See docs/ARCHITECTURE.md.
"""
