"""Widgets: the "Policy diffusion" dock and its background tasks."""
