"""Real local stand-ins for GitHub and the PyTorch indexes, shared by the tests,
``release-tool rehearse`` and the benchmarks (recipes in docs/testing.md).

- :mod:`.repos`: bare package repositories whose tags hold synthetic copies of a
  package, reached through git ``insteadOf`` so the real https URLs stay in the files;
- :mod:`.indexes`: PEP 503 trees of tiny labelled stand-in torch wheels (``UV_INDEX``);
- :mod:`.environment`: the environment every sandboxed git/uv call gets;
- :mod:`.monorepo`: a bare ``origin`` holding the project's committed HEAD, and a clone;
- :mod:`.world`: all of it for one project, built from its configuration.
"""
