"""PolicyLink: policy diffusion between cities and its carbon effects, in PostGIS and QGIS."""

__version__ = "0.1.0"
