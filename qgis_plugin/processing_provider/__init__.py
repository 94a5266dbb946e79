"""Processing provider "PolicyLink": one algorithm per analysis, one module per algorithm.

``algs/`` holds the algorithms (``algs/local_moran.py`` ...) and lists them; ``base.py`` the
common base class and table helpers; ``layer_statistic.py``, ``local_statistic.py``,
``database_algorithm.py``, ``map_algorithm.py`` and ``regression.py`` what a family of algorithms
shares; ``postprocess.py`` the styling of outputs loaded into the project; ``provider.py`` the
provider, which only the plugin object imports.
"""
