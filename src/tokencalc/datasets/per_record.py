"""``--per-record FILE``: one row per record (position, key, tokens and cost per model), as CSV
or, for a ``.parquet`` name, Parquet. Written as the records stream past into a temporary file
beside the target, renamed over it only when the pass has finished: a failed run leaves the
old file as it was.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from tokencalc.atomic import resolved_target
from tokencalc.datasets.pricing import PricedModel
from tokencalc.datasets.run import RecordRow
from tokencalc.datasets.sources import DATA_EXTRA_HINT
from tokencalc.errors import InputError
from tokencalc.pricing.costs import decimal_text

#: Rows buffered before a Parquet row group is written.
PARQUET_GROUP = 65_536


def columns(unit: str, models: Sequence[PricedModel]) -> list[str]:
    names = [unit, "key", "error"]
    for model in models:
        names += [
            f"{model.id}.input_tokens",
            f"{model.id}.output_tokens",
            f"{model.id}.cost",
            f"{model.id}.fits",
        ]
    return names


def _values(row: RecordRow, models: Sequence[PricedModel]) -> list[Any]:
    values: list[Any] = [row.position, row.key, row.error]
    if row.error is not None:
        return values + [None] * (4 * len(models))
    for cost in row.costs:
        values += [
            cost.input_tokens,
            cost.output_tokens,
            None if cost.cost is None else decimal_text(cost.cost),
            cost.fits,
        ]
    return values


class PerRecordWriter:
    """Context manager: ``write`` rows, and the file appears at ``path`` on a clean exit."""

    def __init__(self, path: Path, unit: str, models: Sequence[PricedModel]) -> None:
        self.target = resolved_target(Path(path))
        self.models = list(models)
        self.names = columns(unit, models)
        self.parquet = self.target.suffix.lower() in (".parquet", ".pq")
        self._pending: list[list[Any]] = []
        self._writer: Any = None
        self._handle: IO[str] | None = None
        self._csv: Any = None
        if self.parquet:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError(
                    f"{path}: writing Parquet needs pyarrow: {DATA_EXTRA_HINT}"
                ) from None
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent
            )
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        self.tmp = Path(name)
        if self.parquet:
            os.close(fd)
        else:
            self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._handle)
            self._csv.writerow(self.names)

    def write(self, row: RecordRow) -> None:
        values = _values(row, self.models)
        if not self.parquet:
            self._csv.writerow(["" if v is None else v for v in values])
            return
        self._pending.append(values)
        if len(self._pending) >= PARQUET_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            fields = [
                pa.field(self.names[0], pa.int64()),
                pa.field("key", pa.string()),
                pa.field("error", pa.string()),
            ]
            for model in self.models:
                fields += [
                    pa.field(f"{model.id}.input_tokens", pa.int64()),
                    pa.field(f"{model.id}.output_tokens", pa.int64()),
                    pa.field(f"{model.id}.cost", pa.string()),  # exact decimal text
                    pa.field(f"{model.id}.fits", pa.bool_()),
                ]
            self._schema = pa.schema(fields)
            self._writer = pq.ParquetWriter(str(self.tmp), self._schema)
        table = pa.Table.from_pylist(
            [dict(zip(self.names, values, strict=True)) for values in self._pending],
            schema=self._schema,
        )
        self._writer.write_table(table)
        self._pending = []

    def __enter__(self) -> PerRecordWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                if self.parquet:
                    if self._pending or self._writer is None:
                        self._flush()
                    self._writer.close()
                else:
                    assert self._handle is not None
                    self._handle.flush()
                    os.fsync(self._handle.fileno())
                    self._handle.close()
                os.chmod(self.tmp, 0o644)
                os.replace(self.tmp, self.target)
                return
        except OSError as exc:
            self._discard()
            raise InputError(f"{self.target}: cannot write: {exc.strerror or exc}") from None
        self._discard()

    def _discard(self) -> None:
        if self._handle is not None and not self._handle.closed:
            self._handle.close()
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - pyarrow: closing a half-written file may fail; it is removed anyway
                pass
        try:
            self.tmp.unlink()
        except OSError:
            pass
