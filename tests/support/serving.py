"""Local servers the tests start: one way to run one in a thread and stop it."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def serving(server: socketserver.TCPServer, *, poll_interval: float = 0.5) -> Iterator[str]:
    """Serve ``server`` (bound to a local port) from a daemon thread until the block ends;
    yields its base URL, ``http://HOST:PORT``. The port is closed on the way out."""
    host, port = server.server_address[:2]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
