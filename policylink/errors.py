"""Exceptions that the front-ends turn into a clear message and a non-zero exit code.

A leaf module: the base types live with the numerics (:mod:`policylink.spatial.errors`, the lowest
layer) so that estimators can raise them without importing anything above; this module re-exports
them and adds the kinds that only the layers above raise.
"""

from __future__ import annotations

from policylink.spatial.errors import InputError, PolicyLinkError, Problem

__all__ = ["ConfigError", "InputError", "PolicyLinkError", "Problem"]


class ConfigError(PolicyLinkError):
    """The environment or the command line is not usable as given."""

    exit_code = 2
