"""VLMHyperBench's release pipeline: a pure core (``core/``) and thin adapters (``adapters/``)."""
