"""Processing provider "PolicyLink": one algorithm per analysis."""
