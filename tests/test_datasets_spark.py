"""The Spark engine path on a real local[2] cluster agrees with the single-machine path.

Marked ``slow`` (a JVM and two executors: about a minute of wall time): ``pytest -m slow`` runs
it, and so does CI after the README's test command."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from typing import Any

import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - CI machines have Java 17
    pytest.skip("Spark needs Java (java not on PATH)", allow_module_level=True)

import tokencalc
from tokencalc.datasets.spark import estimate_spark

pytestmark = pytest.mark.slow

MODELS = ["gpt-6-luna", "claude-haiku-5-5", "gemini-3.8-flash", "mistral-large-4"]


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("tokencalc-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "3")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _records():
    texts = [
        "Where is my parcel?",
        "Bonjour, je voudrais un remboursement. " * 20,
        "退货流程是什么？",
        "def f(x):\n    return x\n" * 30,
    ]
    rows = []
    for i in range(600):
        body = texts[i % len(texts)] * (1 + i % 5)
        rows.append(
            {
                "id": f"r{i}",
                "subject": f"Case {i}",
                "body": None if i % 97 == 0 else body,
                "answer": "Thanks, done." * (i % 3),
            }
        )
    return rows


def test_spark_totals_equal_the_local_path(spark, tmp_path):
    rows = _records()
    df = spark.createDataFrame(
        rows, "id string, subject string, body string, answer string"
    ).repartition(3)
    template = "Subject: {subject}\n\n{body}\n\nAnswer briefly."
    arguments: dict[str, Any] = {
        "template": template,
        "system": "You are a support agent.",
        "models": MODELS,
        "output_field": "answer",
        "key": "id",
        "tier": "batch",
        "longest": 5,
    }
    on_spark = estimate_spark(df, **arguments)

    data = tmp_path / "rows.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    local = tokencalc.estimate_dataset(data, rows=False, **arguments).summary

    assert on_spark.records == local.records == 600 - 7  # rows 0, 97, …, 582 have no body
    assert on_spark.malformed == local.malformed == 7
    for remote, here in zip(on_spark.models, local.models, strict=True):
        assert remote.model.id == here.model.id
        if here.sample is not None and here.sample.se:
            # Claude's totals are scaled by a reconstructed sample drawn by position, which on
            # Spark is the row within its partition: another sample, within both margins
            assert remote.sample is not None and remote.model.count_method == "sampled"
            allowed = 2 * math.hypot(remote.sample.se, here.sample.se)
            assert abs(remote.input_tokens - here.input_tokens) <= allowed
            share = allowed / here.input_tokens
            assert abs(remote.output_tokens / here.output_tokens - 1) <= share
        else:
            assert (remote.input_tokens, remote.output_tokens, remote.cost) == (
                here.input_tokens,
                here.output_tokens,
                here.cost,
            )
        assert remote.input_spread == here.input_spread
        assert remote.over_context == here.over_context
    assert [r.input_tokens[0] for r in on_spark.longest] == [
        r.input_tokens[0] for r in local.longest
    ]
    assert sorted(reason for _pos, reason in on_spark.problems) == sorted(
        reason for _pos, reason in local.problems
    )


def test_spark_missing_column_is_one_clear_error(spark):
    df = spark.createDataFrame([{"text": "x"}], "text string")
    with pytest.raises(tokencalc.InputError, match="no column 'body'"):
        estimate_spark(df, field="body", models=MODELS)
