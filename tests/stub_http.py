"""A stub HTTP server on 127.0.0.1 for the tests that talk to one (online counts, price imports,
hostile downloads)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: serve_forever's poll interval: shutdown() waits up to one (the default 0.5 s held every test
#: that used a stub server half a second at teardown).
POLL = 0.02


@contextmanager
def serving(
    handler: type[BaseHTTPRequestHandler], release: threading.Event | None = None
) -> Iterator[str]:
    """Serve ``handler`` on a free port and yield the base URL. ``release``: an event the
    handler waits on to hold its answers; cleared while serving and set before shutdown, so
    that no held request outlives the test."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(POLL,), daemon=True).start()
    if release is not None:
        release.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        if release is not None:
            release.set()
        httpd.shutdown()
        httpd.server_close()
