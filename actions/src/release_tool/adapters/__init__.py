"""Thin adapters, each wrapping one outside thing (git, uv, GitHub, Actions outputs)."""
