"""Exact counts from the vendors' own token-counting endpoints, only when asked (``--online``).

This sends the text to the vendor. Endpoints, keys and base URLs:

=========  =================================================  ==================================  ======================
vendor     endpoint                                           key (environment)                   base URL (environment)
=========  =================================================  ==================================  ======================
anthropic  ``POST /v1/messages/count_tokens``                 ``ANTHROPIC_API_KEY``               ``ANTHROPIC_BASE_URL``
google     ``POST /v1beta/models/{model}:countTokens``        ``GEMINI_API_KEY``/``GOOGLE_API_KEY``  ``GEMINI_BASE_URL``
xai        ``POST /v1/tokenize-text``                         ``XAI_API_KEY``                     ``XAI_BASE_URL``
=========  =================================================  ==================================  ======================

Counts are **content tokens**: each endpoint counts a whole one-message request, so the fixed
frame is measured once per model by counting a one-character probe (``frame = probe − 1``) and
subtracted. Answers (raw counts) are cached by vendor, model and the text's sha256 in the user
cache directory. Each request has a whole-request deadline. Any failure — no key, 401/403,
429 (one retry when ``Retry-After`` fits the deadline), 5xx, no network, a timeout, an answer
that is not what the vendor documents — raises :class:`OnlineUnavailable` with a reason that
never contains the key; the caller falls back to the offline count.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokencalc.atomic import write_bytes_atomic
from tokencalc.errors import TokencalcError

#: Seconds one request may take, from connecting to the last byte of the answer.
DEFAULT_TIMEOUT = 15.0
#: Longest wait for a 429's Retry-After before giving up.
MAX_RETRY_AFTER = 5.0
#: Largest answer read (bytes); a longer one is garbage for these endpoints.
MAX_ANSWER = 64 << 20
ANTHROPIC_VERSION = "2023-06-01"
PROBE = "a"


class OnlineUnavailable(TokencalcError):
    """The vendor could not count this text now (the reason is safe to show)."""


@dataclass(frozen=True)
class Vendor:
    provider: str  # the price sheet's provider id
    keys: tuple[str, ...]
    base_env: str
    default_base: str
    endpoint: str


VENDORS: Mapping[str, Vendor] = {
    "anthropic": Vendor(
        "anthropic",
        ("ANTHROPIC_API_KEY",),
        "ANTHROPIC_BASE_URL",
        "https://api.anthropic.com",
        "count_tokens",
    ),
    "google": Vendor(
        "google",
        ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        "GEMINI_BASE_URL",
        "https://generativelanguage.googleapis.com",
        "countTokens",
    ),
    "xai": Vendor("xai", ("XAI_API_KEY",), "XAI_BASE_URL", "https://api.x.ai", "tokenize-text"),
}


@dataclass(frozen=True)
class OnlineCount:
    tokens: int  # content tokens
    frame: int  # subtracted from the vendor's count
    vendor: str
    model: str
    cached: bool

    @property
    def detail(self) -> str:
        return f"{self.vendor} {VENDORS[self.vendor].endpoint}, {self.model}, frame of {self.frame} subtracted"


class OnlineCounter:
    """Counts through vendor endpoints, with a cache; one instance per run."""

    def __init__(
        self,
        *,
        cache_dir: Path | None,
        timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._cache_dir = cache_dir
        self._timeout = timeout
        self._env = os.environ if env is None else env
        self._frames: dict[tuple[str, str], int] = {}

    def supports(self, provider: str) -> bool:
        return provider in VENDORS

    def count(self, provider: str, model: str, text: str) -> OnlineCount:
        """Content tokens of ``text`` for ``model`` (raises OnlineUnavailable)."""
        vendor = VENDORS.get(provider)
        if vendor is None:
            raise OnlineUnavailable(f"no counting endpoint for provider {provider!r}")
        key = self._key(vendor)
        frame = self._frames.get((provider, model))
        if frame is None:
            probe, _ = self._raw(vendor, key, model, PROBE)
            frame = max(probe - 1, 0)
            self._frames[(provider, model)] = frame
        if not text:
            return OnlineCount(0, frame, provider, model, True)
        raw, cached = self._raw(vendor, key, model, text)
        return OnlineCount(max(raw - frame, 0), frame, provider, model, cached)

    # -- internals

    def _key(self, vendor: Vendor) -> str:
        for name in vendor.keys:
            value = self._env.get(name, "").strip()
            if value:
                return value
        raise OnlineUnavailable(f"no API key: set {' or '.join(vendor.keys)}")

    def _cache_path(self, vendor: Vendor, model: str, text: str) -> Path | None:
        if self._cache_dir is None:
            return None
        digest = hashlib.sha256(
            f"{vendor.provider}\0{model}\0{text}".encode("utf-8", "surrogatepass")
        ).hexdigest()
        return self._cache_dir / "online" / f"{digest}.json"

    def _raw(self, vendor: Vendor, key: str, model: str, text: str) -> tuple[int, bool]:
        path = self._cache_path(vendor, model, text)
        if path is not None:
            try:
                cached = json.loads(path.read_text(encoding="utf-8"))
                if (
                    isinstance(cached, dict)
                    and isinstance(cached.get("tokens"), int)
                    and cached["tokens"] >= 0
                ):
                    return cached["tokens"], True
            except (OSError, ValueError):
                pass
        tokens = self._ask(vendor, key, model, text)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(
                    path,
                    json.dumps(
                        {"tokens": tokens, "vendor": vendor.provider, "model": model}
                    ).encode(),
                )
            except OSError:
                pass  # a cache that cannot be written only costs a request next time
        return tokens, False

    def _request(
        self, vendor: Vendor, key: str, model: str, text: str
    ) -> tuple[str, dict[str, str], bytes]:
        base = self._env.get(vendor.base_env, "").strip() or vendor.default_base
        if vendor.provider == "anthropic":
            path = "/v1/messages/count_tokens"
            headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
            body: Any = {"model": model, "messages": [{"role": "user", "content": text}]}
        elif vendor.provider == "google":
            path = f"/v1beta/models/{urllib.parse.quote(model, safe='')}:countTokens"
            headers = {"x-goog-api-key": key}
            body = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
        else:
            path = "/v1/tokenize-text"
            headers = {"Authorization": f"Bearer {key}"}
            body = {"text": text, "model": model}
        headers["content-type"] = "application/json"
        return (
            base.rstrip("/") + path,
            headers,
            json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        )

    def _ask(self, vendor: Vendor, key: str, model: str, text: str) -> int:
        url, headers, body = self._request(vendor, key, model, text)
        deadline = time.monotonic() + self._timeout
        for attempt in (1, 2):
            status, retry_after, payload = _post(url, headers, body, deadline)
            if (
                status == 429
                and attempt == 1
                and retry_after is not None
                and time.monotonic() + retry_after < deadline
                and retry_after <= MAX_RETRY_AFTER
            ):
                time.sleep(retry_after)
                continue
            break
        if status in (401, 403):
            raise OnlineUnavailable(f"{vendor.provider} rejected the API key (HTTP {status})")
        if status == 429:
            raise OnlineUnavailable(f"{vendor.provider} is rate limiting (HTTP 429)")
        if status != 200:
            raise OnlineUnavailable(f"{vendor.provider} answered HTTP {status}")
        return _parse(vendor, payload)


def _post(
    url: str, headers: Mapping[str, str], body: bytes, deadline: float
) -> tuple[int, float | None, bytes]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OnlineUnavailable(f"not an http(s) base URL: {parts.scheme}://{parts.hostname or ''}")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OnlineUnavailable("timed out")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = cls(parts.hostname, parts.port, timeout=remaining)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OnlineUnavailable("timed out")
            if connection.sock is not None:
                connection.sock.settimeout(left)
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER:
                raise OnlineUnavailable("answer too large")
            chunks.append(chunk)
        retry = response.getheader("retry-after")
        return response.status, _seconds(retry), b"".join(chunks)
    except OnlineUnavailable:
        raise
    except TimeoutError:
        raise OnlineUnavailable("timed out") from None
    except (OSError, http.client.HTTPException) as exc:
        raise OnlineUnavailable(f"no connection ({type(exc).__name__})") from None
    finally:
        connection.close()


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 1e6 else None


def _parse(vendor: Vendor, payload: bytes) -> int:
    try:
        data = json.loads(payload)
    except ValueError:
        raise OnlineUnavailable(f"{vendor.provider} answered something that is not JSON") from None
    count: Any = None
    if vendor.provider == "anthropic" and isinstance(data, dict):
        count = data.get("input_tokens")
    elif vendor.provider == "google" and isinstance(data, dict):
        count = data.get("totalTokens")
    elif vendor.provider == "xai":
        tokens = data.get("token_ids") if isinstance(data, dict) else data
        count = len(tokens) if isinstance(tokens, list) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise OnlineUnavailable(f"{vendor.provider} answered without a token count")
    return count


#: Longest input sent with --online (characters); longer ones keep their offline count.
MAX_CHARS = 4_000_000


@dataclass(frozen=True)
class OnlineProblem:
    """Why some rows kept their offline count (one per vendor, or one for long inputs)."""

    vendor: str | None
    reason: str


def online_counts(
    counter: OnlineCounter,
    models: Any,
    inputs: Any,
) -> tuple[dict[tuple[str, str], Any], list[OnlineProblem]]:
    """Online counts for every (model, input) a vendor endpoint can count.

    ``models``: (model id, provider, tokenizer family, estimated) tuples; ``inputs``: (label,
    Counts). Models that count exactly offline are left alone. Models of one tokenizer family
    share one request per input. After the first failure of a vendor, its other rows keep their
    offline counts: one problem per vendor.
    """
    from tokencalc.tokenizers.model_counts import ONLINE, ModelCount

    counts: dict[tuple[str, str], ModelCount] = {}
    problems: list[OnlineProblem] = []
    failed: set[str] = set()
    by_family: dict[tuple[str, str], ModelCount] = {}
    too_long = 0
    for model_id, provider, family, estimated in models:
        if not estimated or not counter.supports(provider) or provider in failed:
            continue
        for label, input_counts in inputs:
            if input_counts.text is None:
                too_long += 1
                continue
            shared = by_family.get((family, label))
            if shared is None:
                try:
                    made = counter.count(provider, model_id, input_counts.text)
                except OnlineUnavailable as exc:
                    failed.add(provider)
                    problems.append(OnlineProblem(provider, str(exc)))
                    break
                shared = ModelCount(made.tokens, ONLINE, made.detail, f"online ({provider})")
                by_family[(family, label)] = shared
            counts[(model_id, label)] = shared
    if too_long:
        problems.append(
            OnlineProblem(
                None, f"{too_long} input(s) longer than {MAX_CHARS:,} characters were not sent"
            )
        )
    return counts, problems
