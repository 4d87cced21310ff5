"""Claude content tokens, reconstructed: the marked stream tiled over a measured vocabulary.

The vocabularies (``data/claude-v3.pieces.json.gz``, ``data/claude-v4.7.pieces.json.gz``) are the
pieces of ``ctok`` 1.3.0 (MIT, Sander Land; see ``data/NOTICE``): strings of the marked stream
(tokencalc.tokenizers.claude_stream) that each cost one token, found by probing Anthropic's ``count_tokens``.
A text's count is the fewest tokens that spell its marked stream: pieces cost one each; a
character no piece covers costs the fewest of its UTF-8 byte prefixes that are tokens, every
single byte being one. A text ending in newlines adds what those newlines cost next to the two
the message frame appends, less the frame's own token.

Exactness: none can be claimed — Anthropic's tokenizer is not public. The reconstruction
reproduces every ``count_tokens`` answer recorded with it (tests/test_claude_reconstruction.py);
tokencalc labels its counts ``reconstructed``.

Speed: no piece has ⟨eow⟩ anywhere but at its end, so the stream splits after every ⟨eow⟩ into
segments that tile independently; each distinct segment is tiled once per process.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Final

from tokencalc.errors import EncodingDataError
from tokencalc.tokenizers.claude_stream import (
    EOW,
    MARKERS,
    StreamRules,
    marked_stream,
    normalise,
    part_cuts,
)


@dataclass(frozen=True)
class Generation:
    data_file: str
    sha256: str  # of the decompressed JSON
    rules: StreamRules


_V3 = (
    "claude-v3.pieces.json.gz",
    "e6e3de99812eafe1268f59da9c53f6c4599059a37ac4766ef5c0596bb14767e6",
)
_V47 = (
    "claude-v4.7.pieces.json.gz",
    "513a3b49c4d3121e2e876c28d3a5434b97b3d859b95b9808fb79344ec8fec892",
)
#: The tokenizer generations: Claude 3 … Opus 4.6; Opus 4.7; Opus 4.8 and Claude 5.x (the 4.7
#: vocabulary behind a frame that ends without ⟨bow⟩, so a leading space is not absorbed).
GENERATIONS: Final = {
    "claude-v3": Generation(*_V3, StreamRules(fold_quotes=True, caps_from=4, frame_bow=True)),
    "claude-v4.7": Generation(
        *_V47, StreamRules(fold_quotes=False, caps_from=None, frame_bow=True)
    ),
    "claude-v4.8": Generation(
        *_V47, StreamRules(fold_quotes=False, caps_from=None, frame_bow=False)
    ),
}
#: Distinct segments remembered per vocabulary before the memory is cleared.
_SEGMENT_MEMORY = 200_000
_FAR = 1 << 40
#: Texts longer than this (characters) are cut into parts that are counted, and remembered, apart.
_CUT_FROM = 2_000
_WHITE = " \n\t\u3000"
_SEGMENT = re.compile(f"[{_WHITE}]+|[^{_WHITE}{EOW}]*{EOW}|[^{_WHITE}{EOW}]+")


class Vocabulary:
    """One generation's pieces, indexed for tiling, with the costs worked out so far."""

    def __init__(self, pieces: list[str], byte_prefixes: list[str]) -> None:
        #: every piece → True, every proper prefix of one that is not itself a piece → False
        self.prefixes = dict.fromkeys([p[:end] for p in pieces for end in range(2, len(p))], False)
        self.prefixes.update(dict.fromkeys(pieces, True))
        self.longest = max(map(len, pieces))
        units = {piece for piece in pieces if len(piece) == 1}
        self.byte_tokens = {bytes.fromhex(h) for h in byte_prefixes}
        self.byte_tokens |= {c.encode("utf-8") for c in units if c not in MARKERS}
        self.longest_bytes = max(map(len, self.byte_tokens))
        self.char_costs: dict[str, int] = dict.fromkeys(units | MARKERS, 1)
        self.segments = _Segments(self)
        self.newline_tails: dict[int, int] = {}
        if "\n" not in units:
            raise EncodingDataError(
                "the Claude vocabulary has no newline piece; reinstall tokencalc"
            )

    def char_cost(self, c: str) -> int:
        """What one character costs where no longer piece covers it."""
        cost = self.char_costs.get(c)
        if cost is None:
            data = c.encode("utf-8")
            best = [0] + [_FAR] * len(data)
            for end in range(1, len(data) + 1):
                for start in range(max(0, end - self.longest_bytes), end):
                    if end - start == 1 or data[start:end] in self.byte_tokens:
                        best[end] = min(best[end], best[start] + 1)
            cost = self.char_costs[c] = best[-1]
        return cost

    def tile(self, text: str) -> int:
        """The fewest tokens that spell ``text`` (part of a marked stream)."""
        n = len(text)
        best = [0] + [_FAR] * n
        prefixes = self.prefixes
        char_cost = self.char_cost
        for start in range(n):
            here = best[start]
            step = here + char_cost(text[start])
            if step < best[start + 1]:  # (an if is ~3x cheaper than min() here)
                best[start + 1] = step
            here += 1
            for end in range(start + 2, min(n, start + self.longest) + 1):
                piece = prefixes.get(text[start:end])
                if piece is None:
                    break
                if piece and here < best[end]:
                    best[end] = here
        return best[n]

    def stream_cost(self, stream: str) -> int:
        """The tokens of a marked stream, tiled in segments that no piece crosses: whitespace
        runs, and the rest cut after every ⟨eow⟩ (no piece mixes whitespace with anything else,
        and none has ⟨eow⟩ but at its end)."""
        return sum(map(self.segments.__getitem__, _SEGMENT.findall(stream)))

    def newline_tail(self, newlines: int) -> int:
        """Tokens that ``newlines`` content-final newlines add to the frame's trailing two."""
        if newlines == 0:
            return 0
        cost = self.newline_tails.get(newlines)
        if cost is None:
            cost = self.newline_tails[newlines] = self.tile("\n" * (newlines + 2)) - 1
        return cost


class _Segments(dict[str, int]):
    """Segment → tokens, tiled on first sight (forgotten wholesale past a size)."""

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, segment: str) -> int:
        if len(self) >= _SEGMENT_MEMORY:
            self.clear()
        cost = self[segment] = self.vocab.tile(segment)
        return cost


_lock = threading.Lock()
_loaded: dict[str, Vocabulary] = {}


def vocabulary(generation: str) -> Vocabulary:
    """The generation's vocabulary, read (sha256-checked) once per process."""
    spec = GENERATIONS[generation]
    with _lock:
        found = _loaded.get(spec.data_file)
        if found is None:
            document = json.loads(_read_verified(spec))
            found = _loaded[spec.data_file] = Vocabulary(
                document["pieces"], document["byte_prefixes"]
            )
        return found


def _read_verified(spec: Generation) -> bytes:
    try:
        packed = resources.files("tokencalc.data").joinpath(spec.data_file).read_bytes()
        raw = gzip.decompress(packed)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise EncodingDataError(
            f"cannot read the shipped Claude vocabulary {spec.data_file}: {exc}; reinstall tokencalc"
        ) from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != spec.sha256:
        raise EncodingDataError(
            f"Claude vocabulary {spec.data_file} has sha256 {actual}, expected {spec.sha256}; "
            "the installation is damaged, reinstall tokencalc"
        )
    return raw


def content_tokens(generation: str, text: str) -> int:
    """Reconstructed content tokens of ``text`` as one user message (the message frame left out).

    Empty text is 0 (the API refuses an empty message; nothing would be billed for it).
    """
    if not text:
        return 0
    spec = GENERATIONS[generation]
    vocab = vocabulary(generation)
    norm = normalise(text, spec.rules.fold_quotes)
    body = norm.rstrip("\n")
    tail = vocab.newline_tail(len(norm) - len(body))
    # Text that normalises to nothing still pays for the frame's ⟨bow⟩ (v3, v4.7).
    # Short texts are not cut: building the cut pattern costs more than it saves them.
    first, *rest = part_cuts().split(body) if len(body) > _CUT_FROM else (body,)
    total = tail + vocab.stream_cost(marked_stream(first, spec.rules, text.startswith(" ")))
    if rest:
        total += sum(map(_part_costs(generation, vocab).__getitem__, rest))
    return total


def window_tokens(generation: str, text: str) -> int:
    """Reconstructed tokens of ``text`` as a stretch inside a longer text (a sampled window that
    begins after a newline or a space): written as a part after a cut, without the message
    frame's effects at either end."""
    spec = GENERATIONS[generation]
    vocab = vocabulary(generation)
    norm = normalise(text, spec.rules.fold_quotes)
    costs = _part_costs(generation, vocab)
    return sum(map(costs.__getitem__, part_cuts().split(norm))) if norm else 0


class _PartCosts(dict[str, int]):
    """Parts of a text that follow a space between two letters → their tokens, on demand."""

    def __init__(self, vocab: Vocabulary, rules: StreamRules) -> None:
        super().__init__()
        self.vocab = vocab
        self.rules = rules

    def __missing__(self, part: str) -> int:
        if len(self) >= _SEGMENT_MEMORY:
            self.clear()
        cost = self[part] = self.vocab.stream_cost(
            marked_stream(part, self.rules, False, at_start=False)
        )
        return cost


_parts: dict[str, _PartCosts] = {}


def _part_costs(generation: str, vocab: Vocabulary) -> _PartCosts:
    with _lock:
        found = _parts.get(generation)
        if found is None:
            found = _parts[generation] = _PartCosts(vocab, GENERATIONS[generation].rules)
        return found
