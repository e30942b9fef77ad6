"""Release operations: a typed request in, adapters over core plans, an outcome out.

Layers: ``commands`` -> ``operations`` -> ``adapters`` -> ``core``; nothing here parses argv.
"""
