"""How the chat-export tokens priced on each model were counted, and the notes that say so.

A chat export's text is counted when it is read (:mod:`tokencalc.usage.options`): in the named
model's own tokens, the way ``tokencalc estimate`` counts that model, or with the plain chat
encoding (``o200k_base``) when no model was named. Pricing then meets three cases per model:

- the records are in the model's own tokens: the reader's tally says how (exact, reconstructed,
  estimated per class, a ratio — or a mix, when some messages were past the reconstruction's
  limits);
- the model's tokenizer is an estimate family and the records are ``o200k_base`` counts: they
  were converted with the family's ratio (:func:`tokencalc.usage.pricing.in_model_tokens`);
- the model counts exactly: the count is its own when it counts with the same encoding, else
  the chat encoding's count stands in for it.

All are content tokens: the per-message chat frame is not included.

tokencalc.tokenizers.model_counts (and with it Claude's reconstruction) is imported only when
there are chat-export records to describe: ``usage`` on agent logs does not pay for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from tokencalc.counting.encodings import CHARACTERS, TokenizerRef, canonical_encoding
from tokencalc.plans.profile import CHARS_PER_PROFILE_TOKEN
from tokencalc.usage.options import CHAT_ENCODING, EXACT
from tokencalc.usage.records import ChatCounting

#: How a plain count priced on an exact model with another encoding is labelled.
STANDING_IN = "count standing in for"


def chat_countings(
    read: Sequence[ChatCounting],
    as_counted: Mapping[str, TokenizerRef],
    converted: Mapping[str, TokenizerRef],
    plain: Mapping[str, TokenizerRef],
) -> tuple[ChatCounting, ...]:
    """One :class:`ChatCounting` per priced model id, sorted by id.

    ``read``: the reader's tallies (``UsageReport.chat_counting``); the other three map the
    model ids of each case (see the module docstring) to their tokenizers.
    """
    if not (as_counted or converted or plain):
        return ()
    from tokencalc.tokenizers.model_counts import ESTIMATED, ratio_detail

    by_model = {c.model: c for c in read}
    unnamed = by_model.get(None)
    encoding = unnamed.encoding if unnamed is not None and unnamed.encoding else CHAT_ENCODING
    found: list[ChatCounting] = []
    for model_id in sorted({*as_counted, *converted, *plain}):
        if model_id in as_counted and model_id in by_model:
            found.append(by_model[model_id])
        elif model_id in converted:
            ref = converted[model_id]
            label = f"{ESTIMATED} ({ratio_detail(ref)})"
            way = (ESTIMATED, label, f"×{ref.ratio.normalize():f} {ref.base}", 0, None)
            found.append(ChatCounting(model_id, (way,), encoding))
        elif model_id in plain:
            ref = plain[model_id]
            if canonical_encoding(ref.base) == canonical_encoding(encoding):
                ways = unnamed.ways if unnamed is not None else ()
                label = f"{EXACT} ({ref.family})"
                found.append(
                    ChatCounting(
                        model_id,
                        tuple((EXACT, label, label, n, t) for _, _, _, n, t in ways)
                        or ((EXACT, label, label, 0, None),),
                        encoding,
                    )
                )
            else:
                label = f"{ESTIMATED} ({encoding} {STANDING_IN} {ref.family})"
                way = (ESTIMATED, label, f"{encoding} for {ref.family}", 0, None)
                found.append(ChatCounting(model_id, (way,), encoding))
    return tuple(found)


def chat_notes(countings: Sequence[ChatCounting]) -> list[str]:
    """One note per model whose chat-export tokens were counted in its own way (not exactly
    with the plain encoding, which the assumptions state, nor converted with a ratio, which
    :func:`conversion_notes` states), or whose exact encoding the plain count stood in for."""
    if not countings:
        return []
    from tokencalc.tokenizers import claude_reconstruction
    from tokencalc.tokenizers.model_counts import ESTIMATED, FRAME_NOTE, RECONSTRUCTED, SAMPLED

    notes = []
    for counting in countings:
        own_way = counting.encoding is None and counting.method != EXACT
        if counting.model is None or not (own_way or STANDING_IN in counting.how_counted):
            continue
        how = counting.how_counted
        methods = {way[0] for way in counting.ways}
        if ESTIMATED in methods and methods & {RECONSTRUCTED, SAMPLED}:
            how += (
                f" (the reconstruction spends at most {claude_reconstruction.RUN_BUDGET:,} "
                "characters a run; texts past that take the family's per-class table)"
            )
        notes.append(f"chat-export tokens on {counting.model}: {how}; {FRAME_NOTE}")
    return notes


def conversion_notes(tokenizers: Mapping[str, TokenizerRef]) -> list[str]:
    """One note per tokenizer family that chat-export counts were converted to with its ratio."""
    families: dict[str, list[str]] = defaultdict(list)
    refs: dict[str, TokenizerRef] = {}
    for model_id, tokenizer in sorted(tokenizers.items()):
        families[tokenizer.family].append(model_id)
        refs[tokenizer.family] = tokenizer
    notes = []
    for family, model_ids in families.items():
        tokenizer = refs[family]
        models = ", ".join(model_ids)
        if tokenizer.base == CHARACTERS:
            factor = tokenizer.ratio * CHARS_PER_PROFILE_TOKEN
            how = (
                "used as they are"
                if factor == 1
                else f"scaled by {factor.normalize():f}, rounded up"
            )
            notes.append(
                f"chat-export token counts (o200k_base) {how} for {models}: its tokenizer ({tokenizer.family}, "
                f"estimated) counts characters, and a token is taken as {CHARS_PER_PROFILE_TOKEN} characters, "
                "as tokencalc plans does"
            )
        else:
            stand_in = (
                ""
                if tokenizer.base == "o200k_base"
                else f", the o200k_base count standing in for its {tokenizer.base} count"
            )
            notes.append(
                f"chat-export token counts (o200k_base) scaled to the estimated {tokenizer.family} tokenizer of "
                f"{models}: × {tokenizer.ratio.normalize():f}, each count rounded up{stand_in} "
                "(a single ratio: the text was read without this model, so it was not counted its own way)"
            )
    return notes
