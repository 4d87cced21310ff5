"""The Python API checks its arguments at the boundary (issue 10 §6): every wrong type or value
raises a documented TokencalcError subclass, and money does not follow the caller's decimal
context."""

# Every call below passes a wrong type on purpose: that the runtime checks catch what the
# annotations forbid is what these tests prove.
# mypy: disable-error-code="arg-type, list-item"

from __future__ import annotations

import decimal
import os
import subprocess
import sys

import pytest

import tokencalc
from tokencalc.errors import TokencalcError, UsageError

BAD_CALLS = {
    "count_tokens model int": lambda: tokencalc.count_tokens("hi", model=5),
    "count_tokens encoding int": lambda: tokencalc.count_tokens("hi", encoding=5),
    "count_tokens prices int": lambda: tokencalc.count_tokens("hi", model="gpt-5", prices=5),
    "count_tokens text bytes": lambda: tokencalc.count_tokens(b"hi"),
    "estimate_tokens model empty": lambda: tokencalc.estimate_tokens("hi", model=""),
    "count_file int": lambda: tokencalc.count_file(5),
    "count_file empty": lambda: tokencalc.count_file(""),
    "count_file bytes": lambda: tokencalc.count_file(b"x.txt"),
    "estimate_cost model int": lambda: tokencalc.estimate_cost(5, input_tokens=1),
    "estimate_cost tokens str": lambda: tokencalc.estimate_cost("gpt-5", input_tokens="1"),
    "estimate_cost tokens float": lambda: tokencalc.estimate_cost("gpt-5", input_tokens=1.5),
    "estimate_cost tier int": lambda: tokencalc.estimate_cost("gpt-5", input_tokens=1, tier=5),
    "estimate_cost on int": lambda: tokencalc.estimate_cost("gpt-5", input_tokens=1, on=5),
    "compare_models models int": lambda: tokencalc.compare_models("hi", models=5),
    "compare_models models [int]": lambda: tokencalc.compare_models("hi", models=[5]),
    "compare_models providers [None]": lambda: tokencalc.compare_models("hi", providers=[None]),
    "compare_models ratio nan": lambda: tokencalc.compare_models("hi", output_ratio="nan"),
    "compare_models fraction object": lambda: tokencalc.compare_models(
        "hi", cached_fraction=object()
    ),
    "compare_models tokens negative": lambda: tokencalc.compare_models(-1),
    "load_prices int": lambda: tokencalc.load_prices(5),
    "load_prices empty": lambda: tokencalc.load_prices(""),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=list(BAD_CALLS))
def test_wrong_arguments_raise_usage_errors(call):
    with pytest.raises(UsageError):
        call()


def test_a_device_as_prices_is_a_price_sheet_error():
    with pytest.raises(TokencalcError, match="not a regular file"):
        tokencalc.load_prices("/dev/zero")


def test_a_single_provider_string_is_one_provider():
    rows = tokencalc.compare_models(1000, providers="openai", output_tokens=0)
    assert rows and {row.provider for row in rows} == {"openai"}


def test_money_ignores_the_callers_decimal_context():
    def figures():
        rows = tokencalc.compare_models(
            "hello " * 1001, ["gpt-5", "gpt-5-mini"], output_ratio="0.37"
        )
        one = tokencalc.estimate_cost("gpt-5", input_tokens=123_457, output_tokens=7)
        return [(r.model, r.total, r.output_tokens) for r in rows], one.total

    expected = figures()
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        context.traps[decimal.Inexact] = True
        assert figures() == expected
    # 123,457 × $1.25/M + 7 × $10/M, worked out by hand.
    assert expected[1] == decimal.Decimal("0.15432125") + decimal.Decimal("0.00007")


DEBUG_VALUES = [("0", False), ("", False), ("false", False), ("1", True), ("yes", True)]


def _boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("on purpose")


@pytest.mark.parametrize(("value", "traceback"), DEBUG_VALUES)
def test_tokencalc_debug_zero_or_empty_is_off(cli, monkeypatch, value, traceback):
    """Through the edge in-process: off, the one line and exit 1; on, the error goes up."""
    import tokencalc.sheet.load as sheet_load

    monkeypatch.setenv("TOKENCALC_DEBUG", value)
    # An internal error on purpose: a command that raises something unexpected.
    monkeypatch.setattr(sheet_load, "load_price_sheet", _boom)
    if traceback:
        with pytest.raises(ZeroDivisionError, match="on purpose"):
            cli("models")
        return
    result = cli("models")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "tokencalc: error: internal error: ZeroDivisionError: on purpose"
    )


def test_tokencalc_debug_in_a_process(tmp_path):
    """The same as a process sees it: a traceback on stderr only when asked for. One process:
    TOKENCALC_DEBUG=0 first (main exits 1 after the one line), then =1 (the error reaches
    Python, which prints the traceback and exits 1)."""
    env = dict(os.environ, TOKENCALC_HOME=str(tmp_path))
    code = (
        "import os, sys\n"
        "def boom(*a, **k):\n    raise ZeroDivisionError('on purpose')\n"
        "import tokencalc.sheet.load as s\n"
        "s.load_price_sheet = boom\n"
        "from tokencalc.cli.app import main\n"
        "os.environ['TOKENCALC_DEBUG'] = '0'\n"
        "try:\n    main(['models'])\n"
        "except SystemExit as exit:\n    sys.stderr.write(f'-- exit {exit.code}\\n')\n"
        "os.environ['TOKENCALC_DEBUG'] = '1'\n"
        "main(['models'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=120)
    off, on = result.stderr.decode().split("-- exit 1\n")
    assert off.startswith("tokencalc: error: internal error: ZeroDivisionError: on purpose"), off
    assert "Traceback" not in off
    assert "Traceback" in on and "ZeroDivisionError: on purpose" in on, on
    assert result.returncode == 1
