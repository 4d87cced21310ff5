"""The command line's names for the core's arguments, and core errors worded with them.

The core names an argument by its Python name (``output_tokens``, ``cached_fraction``); the
command line calls it by its flag (``--output-tokens``, ``--cached``). An error that names
arguments (an :class:`~tokencalc.errors.ArgumentError`, or one built with
``TokencalcError.naming``) carries the core's names and is worded here, at the edge, with the
flags; every other error keeps its message.
"""

from __future__ import annotations

from tokencalc.errors import TokencalcError

#: Core argument name → the flag that gives it (with its metavar where the message shows one).
FLAGS: dict[str, str] = {
    "input_tokens": "--input-tokens",
    "output_tokens": "--output-tokens",
    "output_ratio": "--output-ratio",
    "output_field": "--output-field",
    "cached_fraction": "--cached",
    "cached_tokens": "--cached-tokens",
    "cache_system": "--cache-system",
    "system": "--system FILE",
    "calls": "--calls",
    "per_day": "--per-day",
    "days": "--days",
    "rate": "--rate",
    "web_searches": "--web-searches",
    "tier": "--tier",
    "conversations_per_day": "--conversations-per-day",
    "turns": "--turns",
    "message_tokens": "--message-tokens",
    "reply_tokens": "--reply-tokens",
    "system_tokens": "--system-tokens",
    "reasoning_tokens": "--reasoning-tokens",
    "seats": "--seats",
    "no_cache": "--no-cache",
    "annual": "--annual",
    "since": "--since",
    "plan": "--plan/-P",
    "until": "--until",
    "max_cost": "--max-cost",
    "data_format": "--data-format",
    "field": "--field",
    "template": "--template",
    "timeout": "--timeout",
    "tokenizer": "--tokenizer",
    "models": "--model",
    "help": "--help",
    # a model's fields, as `prices set` takes them
    "provider": "--provider",
    "input": "--input",
    "output": "--output",
    "context_window": "--context-window",
}


def flag(name: str) -> str:
    """The flag of a core argument (a name without one is shown as it is)."""
    return FLAGS.get(name, name)


def error_message(error: TokencalcError) -> str:
    """What the command line says for ``error``: the arguments it names called by their flags."""
    return error.worded(flag)
