"""--online against a fake vendor server on 127.0.0.1: success, frame, cache, errors, timeouts."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from stub_http import serving
from tokencalc.tokenizers.online import OnlineCounter, OnlineUnavailable

KEY = "sk-test-SECRET-1234"
FRAME = 7  # the fake's per-message frame, as Anthropic's count_tokens adds one


class Fake:
    """What the fake server answers: each vendor counts one token per whitespace-separated word."""

    def __init__(self):
        self.requests: list[dict[str, Any]] = []
        self.script: list[
            tuple[int, dict[str, Any], bytes]
        ] = []  # queued (status, headers, body) answers
        # hold: answer nothing until the test is over (released at teardown, 60 s at most)
        self.hold = False
        self.released = threading.Event()
        self.lock = threading.Lock()

    def answer(
        self, path: str, headers: dict[str, Any], body: bytes
    ) -> tuple[int, dict[str, Any], bytes]:
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "body": json.loads(body)})
            if self.script:
                return self.script.pop(0)
        data = json.loads(body)
        if path == "/v1/messages/count_tokens":
            text = data["messages"][0]["content"]
            return 200, {}, json.dumps({"input_tokens": len(text.split()) + FRAME}).encode()
        if path.endswith(":countTokens"):
            text = data["contents"][0]["parts"][0]["text"]
            return 200, {}, json.dumps({"totalTokens": len(text.split())}).encode()
        if path == "/v1/tokenize-text":
            return (
                200,
                {},
                json.dumps(
                    {"token_ids": [{"token_id": i} for i, _ in enumerate(data["text"].split())]}
                ).encode(),
            )
        return 404, {}, b"{}"


@pytest.fixture
def fake(monkeypatch):
    state = Fake()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            if state.hold:
                state.released.wait(60)
            status, headers, payload = state.answer(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    with serving(Handler, release=state.released) as base:
        for name in ("ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "XAI_BASE_URL"):
            monkeypatch.setenv(name, base)
        for name in ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY"):
            monkeypatch.setenv(name, KEY)
        yield state


def counter(tmp_path, timeout=5.0):
    return OnlineCounter(cache_dir=tmp_path / "cache", timeout=timeout)


def test_anthropic_success_subtracts_the_frame(fake, tmp_path):
    made = counter(tmp_path).count("anthropic", "claude-opus-4-5", "three little words")
    assert (made.tokens, made.frame, made.cached) == (3, FRAME, False)
    probe, text = fake.requests
    assert probe["body"]["messages"][0]["content"] == "a"  # the one-character probe
    assert text["path"] == "/v1/messages/count_tokens"
    assert (
        text["headers"]["x-api-key"] == KEY and text["headers"]["anthropic-version"] == "2023-06-01"
    )
    assert text["body"] == {
        "model": "claude-opus-4-5",
        "messages": [{"role": "user", "content": "three little words"}],
    }
    assert made.detail == "anthropic count_tokens, claude-opus-4-5, frame of 7 subtracted"


def test_gemini_and_xai(fake, tmp_path):
    online = counter(tmp_path)
    gemini = online.count("google", "gemini-3.5-flash", "one two three four")
    assert (gemini.tokens, gemini.frame) == (4, 0)
    assert fake.requests[-1]["path"] == "/v1beta/models/gemini-3.5-flash:countTokens"
    assert fake.requests[-1]["headers"]["x-goog-api-key"] == KEY
    grok = online.count("xai", "grok-4.7", "one two")
    assert grok.tokens == 2
    assert fake.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"


def test_the_frame_is_measured_once_per_model_and_answers_are_cached(fake, tmp_path):
    online = counter(tmp_path)
    online.count("anthropic", "claude-x", "alpha beta")
    online.count("anthropic", "claude-x", "gamma")
    assert len(fake.requests) == 3  # one probe, two texts
    again = counter(tmp_path).count("anthropic", "claude-x", "alpha beta")  # a new run, same cache
    assert again.cached and again.tokens == 2
    assert len(fake.requests) == 3
    files = list((tmp_path / "cache" / "online").iterdir())
    assert len(files) == 3 and all(KEY not in f.read_text() for f in files)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "rejected the API key"),
        (403, "rejected the API key"),
        (500, "HTTP 500"),
        (503, "HTTP 503"),
    ],
)
def test_http_errors(fake, tmp_path, status, message):
    fake.script = [(status, {}, b'{"error": "x"}')]
    with pytest.raises(OnlineUnavailable, match=message) as caught:
        counter(tmp_path).count("anthropic", "claude-x", "hi")
    assert KEY not in str(caught.value)


def test_429_is_retried_after_retry_after(fake, tmp_path):
    fake.script = [(429, {"retry-after": "0.2"}, b"{}")]
    started = time.monotonic()
    made = counter(tmp_path).count("google", "gemini-x", "one two")
    assert made.tokens == 2 and time.monotonic() - started >= 0.2
    assert len(fake.requests) == 3  # 429, the retried probe, the text


def test_429_with_a_long_retry_after_gives_up_at_once(fake, tmp_path):
    fake.script = [(429, {"retry-after": "120"}, b"{}")]
    started = time.monotonic()
    with pytest.raises(OnlineUnavailable, match="rate limiting"):
        counter(tmp_path).count("google", "gemini-x", "one two")
    assert time.monotonic() - started < 2


def test_whole_request_timeout(fake, tmp_path):
    fake.hold = True  # the server reads the request and never answers while the test runs
    started = time.monotonic()
    with pytest.raises(OnlineUnavailable, match="timed out"):
        counter(tmp_path, timeout=0.5).count("anthropic", "claude-x", "hi")
    # No fixed bound to race against a loaded machine: without the timeout the call would have
    # waited for the release at teardown; it gave up after the 0.5 s, well short of that.
    assert 0.5 <= time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>oops</html>", "not JSON"),
        (b'{"tokens": 3}', "without a token count"),
        (b'{"input_tokens": -1}', "without a token count"),
        (b'{"input_tokens": true}', "without a token count"),
    ],
)
def test_garbage_answers(fake, tmp_path, body, message):
    fake.script = [(200, {}, body)]
    with pytest.raises(OnlineUnavailable, match=message):
        counter(tmp_path).count("anthropic", "claude-x", "hi")


def test_no_key_and_no_server(monkeypatch, tmp_path):
    with pytest.raises(OnlineUnavailable, match="no API key: set GEMINI_API_KEY or GOOGLE_API_KEY"):
        counter(tmp_path).count("google", "gemini-x", "hi")
    monkeypatch.setenv("XAI_API_KEY", KEY)
    monkeypatch.setenv("XAI_BASE_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(OnlineUnavailable, match="no connection") as caught:
        counter(tmp_path).count("xai", "grok-x", "hi")
    assert KEY not in str(caught.value)


def test_estimate_online_end_to_end(fake, cli, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("one two three four five", encoding="utf-8")
    result = cli(
        "estimate",
        str(text),
        "-m",
        "claude-opus-4-5",
        "-m",
        "claude-sonnet-4-5",
        "-m",
        "gpt-6-luna",
        "--online",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = {row["model"]: row for row in json.loads(result.stdout)["rows"]}
    for model in ("claude-opus-4-5", "claude-sonnet-4-5"):
        assert rows[model]["input_tokens"] == 5 and rows[model]["count_method"] == "online"
        assert (
            "frame of 7 subtracted" in rows[model]["how_counted"] and not rows[model]["estimated"]
        )
    assert rows["gpt-6-luna"]["count_method"] == "exact"
    assert len(fake.requests) == 2  # one family: one probe and one text for both Claude models
    assert KEY not in result.stdout + result.stderr


def test_estimate_online_falls_back_with_one_warning(fake, cli, tmp_path):
    fake.script = [(401, {}, b"{}")]
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("one two", encoding="utf-8")
    second.write_text("three", encoding="utf-8")
    result = cli(
        "estimate",
        str(first),
        str(second),
        "-m",
        "claude-opus-4-5",
        "-m",
        "claude-opus-5",
        "--online",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "tokencalc: warning: --online: anthropic: anthropic rejected the API key (HTTP 401); anthropic rows keep their offline count"
    ]
    rows = json.loads(result.stdout)["rows"]
    assert all(row["count_method"] != "online" for row in rows)
    assert KEY not in result.stdout + result.stderr
    assert len(fake.requests) == 1


def test_count_online(fake, cli):
    result = cli(
        "count", "--model", "gemini-3.5-flash", "--online", "-f", "json", input="alpha beta gamma"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total"]["tokens"] == 3 and document["count_method"] == "online"
