"""``prices import URL --timeout`` bounds the whole download (issue 10 §3)."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from stub_http import serving

_STOP_DRIPPING = threading.Event()


class _Drip(http.server.BaseHTTPRequestHandler):
    """Answers at once, then sends its body one byte every 0.1 s: no single read ever times out."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                if _STOP_DRIPPING.wait(0.1):  # the pace of the drip; the test's end stops it
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def drip():
    with serving(_Drip, release=_STOP_DRIPPING) as url:
        yield url


def test_a_dripping_server_is_cut_off_at_the_timeout(cli, drip):
    started = time.monotonic()
    result = cli("prices", "import", f"{drip}/prices.json", "--timeout", "1")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"tokencalc: error: cannot fetch {drip}/prices.json: no answer within 1 s (--timeout)\n"
    )
    assert elapsed < 5  # before: 100 s, a byte every 0.1 s never trips a per-read timeout
