"""Subcommands of ``vlmhb``; see :mod:`bench_utils.cli`."""
