"""Reading a price source: a local file within its size limit, or an ``http(s)://`` URL fetched
with a deadline on the whole download (a server that trickles bytes cannot hold it open).
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tokencalc import __version__
from tokencalc.errors import TokencalcError
from tokencalc.limits import IMPORT_SIZE, FileLimitError, read_limited
from tokencalc.sheet.load import os_reason
from tokencalc.wording import Arg

DEFAULT_TIMEOUT = 20.0
#: A price JSON larger than this is refused (LiteLLM's is about 1.5 MB).
MAX_BYTES = 64 << 20


def read_source(location: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The bytes of a file, or of an ``http(s)://`` URL fetched with a timeout."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        return _fetch(location, timeout)

    path = Path(location)
    try:
        data = read_limited(path, IMPORT_SIZE, "price JSON file")
    except FileLimitError as exc:
        raise TokencalcError(exc.message) from None
    except FileNotFoundError:
        raise TokencalcError(f"{location}: no such file or directory") from None
    except IsADirectoryError:
        raise TokencalcError(f"{location}: is a directory, not a price JSON file") from None
    except OSError as exc:
        raise TokencalcError(f"{location}: cannot read: {os_reason(exc)}") from None
    _check_size(location, data)
    return data


def _no_answer(url: str, timeout: float) -> TokencalcError:
    return TokencalcError.naming(
        f"cannot fetch {url}: no answer within {timeout:g} s (", Arg("timeout"), ")"
    )


def _fetch(url: str, timeout: float) -> bytes:

    if timeout <= 0:
        raise TokencalcError.naming(Arg("timeout"), f" must be positive, got {timeout}")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": f"tokencalc/{__version__}"})
    except ValueError as exc:
        raise TokencalcError(f"cannot fetch {url}: not a valid URL ({str(exc).lower()})") from None
    try:
        data = _download(request, timeout)
    except urllib.error.HTTPError as exc:
        raise TokencalcError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise _no_answer(url, timeout) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise TokencalcError(
            f"cannot fetch {url}: {str(text).lower()} (are you offline? a local file works too)"
        ) from None
    except TimeoutError:
        raise _no_answer(url, timeout) from None
    except http.client.HTTPException as exc:
        # A server that does not speak HTTP properly (bad status line, cut-off body).
        text = " ".join(str(exc).split())[:60]
        detail = f"{type(exc).__name__}: {text!r}" if text else type(exc).__name__
        raise TokencalcError(f"cannot fetch {url}: not a valid HTTP answer ({detail})") from None
    except (OSError, ValueError) as exc:
        raise TokencalcError(f"cannot fetch {url}: {exc}") from None
    _check_size(url, data)
    return data


def _download(request: Any, timeout: float) -> bytes:
    """The body of ``request``, all of it within ``timeout`` seconds or ``socket.timeout``.

    ``urlopen``'s timeout applies to each socket operation, so a server sending a byte a second
    would never time out; here the whole exchange (connect, headers, body) runs on a helper
    thread that the caller stops waiting for at the deadline, and the helper itself stops
    reading once the deadline has passed.
    """

    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}

    def fetch() -> None:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                chunks: list[bytes] = []
                total = 0
                while total <= MAX_BYTES:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the download took longer than the timeout")
                    chunk = response.read1(1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                outcome["data"] = b"".join(chunks)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, re-raised there
            outcome["error"] = exc

    worker = threading.Thread(target=fetch, name="tokencalc-download", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise TimeoutError("the download took longer than the timeout")
    if "error" in outcome:
        raise outcome["error"]
    return bytes(outcome["data"])


def _check_size(label: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise TokencalcError(f"{label}: larger than {MAX_BYTES >> 20} MB; not a model price file")
