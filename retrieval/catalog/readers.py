"""Streaming readers for catalogue files: CSV/TSV, JSON lines, Parquet and the tau2 ``db.json``.

Each reader yields ``RawRow(row, record, error)`` one record at a time, so a
large file never sits in memory. ``row`` is the 1-based data row number (the
CSV header is not counted). A record that cannot be parsed yields an ``error``
and the import goes on; a file that cannot be read at all raises ``UserError``.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import UserError

logger = logging.getLogger(__name__)

FORMATS = ("auto", "csv", "jsonl", "parquet", "tau2")
def has_lone_surrogate(value: Any) -> bool:
    """Whether any string in a decoded JSON value holds a lone surrogate (JSON's "\\ud800"
    escape decodes to one): UTF-8 cannot encode it, and the database write failed."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "tau2",
}
PARQUET_BATCH = 2048
CSV_FIELD_LIMIT = 16 * 2**20  # long descriptions are fine; the csv module's default is 128 kB


@dataclass(frozen=True)
class RawRow:
    row: int
    record: dict[str, Any] | None
    error: str | None = None


def detect_format(path: Path, fmt: str = "auto") -> str:
    """The reader to use: ``fmt`` itself, or the one the file's extension names."""
    fmt = (fmt or "auto").lower()
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if fmt != "auto":
        return fmt
    found = _SUFFIX.get(path.suffix.lower())
    if found is None:
        raise UserError(
            f"{path}: cannot tell the format from the extension {path.suffix or '(none)'!r}; "
            "pass --format csv|jsonl|parquet|tau2"
        )
    return found


class Source:
    """A catalogue file opened for streaming. ``columns`` is known up front for CSV and Parquet."""

    fmt: str = ""
    columns: list[str] | None = None
    total: int | None = None  # rows, when the format says so cheaply

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise UserError(f"{path}: file not found")
        if not path.is_file():
            raise UserError(f"{path}: not a file")

    def rows(self) -> Iterator[RawRow]:  # pragma: no cover - interface
        raise NotImplementedError


class CsvSource(Source):
    fmt = "csv"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.delimiter = "\t" if path.suffix.lower() == ".tsv" else self._guess_delimiter()
        with self._open() as fh:
            try:
                header = next(csv.reader(fh, delimiter=self.delimiter), None)
            except (UnicodeDecodeError, csv.Error) as err:
                raise self._unreadable(err, 0) from None
        if not header or not any(h.strip() for h in header):
            raise UserError(f"{path}: no header row; the first line must name the columns")
        names = [h.strip() for h in header]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise UserError(f"{path}: column {dupes[0]!r} appears more than once in the header")
        self.columns = names

    def _open(self):
        return open(self.path, encoding="utf-8-sig", newline="")

    def _guess_delimiter(self) -> str:
        try:
            with self._open() as fh:
                first = fh.readline()
        except UnicodeDecodeError as err:
            raise self._unreadable(err, 0) from None
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] > counts[","] else ","

    def _unreadable(self, err: Exception, row: int) -> UserError:
        where = f" near data row {row}" if row else ""
        if isinstance(err, UnicodeDecodeError):
            return UserError(
                f"{self.path}: not UTF-8 text{where.replace('near', 'in')}; save it as UTF-8 or pass the right --format"
            )
        return UserError(f"{self.path}: not a readable CSV file{where}: {err}")

    def rows(self) -> Iterator[RawRow]:
        assert self.columns is not None
        width = len(self.columns)
        row = 0
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        with open(self.path, "rb") as fh:
            lines = _decoded_lines(fh)
            reader = csv.reader(lines, delimiter=self.delimiter)
            try:
                next(reader)  # header
                for values in reader:
                    if not values or (len(values) == 1 and not values[0].strip()):
                        continue  # blank line
                    row += 1
                    if len(values) > width:
                        yield RawRow(
                            row,
                            None,
                            f"row has {len(values)} values but the header has {width} columns",
                        )
                        continue
                    yield RawRow(row, dict(zip(self.columns, values, strict=False)))
            except (UnicodeDecodeError, csv.Error) as err:
                raise self._unreadable(err, row + 1) from None


def _decoded_lines(fh) -> Iterator[str]:
    """UTF-8 lines of a binary file, decoded one at a time, so a bad byte is found on its own row."""
    first = True
    for raw in fh:
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        yield raw.decode("utf-8")


class JsonlSource(Source):
    fmt = "jsonl"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        first = None
        try:
            with open(path, encoding="utf-8-sig") as fh:
                for line in fh:
                    if line.strip():
                        first = line
                        break
        except UnicodeDecodeError:
            raise UserError(
                f"{path}: not UTF-8 text; save it as UTF-8 or pass the right --format"
            ) from None
        if first is None:
            raise UserError(f"{path}: the file is empty")
        try:
            record = json.loads(first)
        except (ValueError, RecursionError):  # bad JSON, a 5,000-digit number, deep nesting
            raise UserError(
                f"{path}: not JSON lines (the first line is not JSON); pass the right --format"
            ) from None
        if not isinstance(record, dict):
            raise UserError(f"{path}: not JSON lines (each line must be one JSON object)")

    def rows(self) -> Iterator[RawRow]:
        row = 0
        with open(self.path, "rb") as fh:
            lines = _decoded_lines(fh)
            while True:
                try:
                    line = next(lines)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise UserError(
                        f"{self.path}: not UTF-8 text in data row {row + 1}; save it as UTF-8"
                    ) from None
                if not line.strip():
                    continue
                row += 1
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    yield RawRow(row, None, f"not valid JSON: {err.msg}")
                    continue
                except ValueError:  # a number of more than 4,300 digits
                    yield RawRow(row, None, "not valid JSON: a number too long to read")
                    continue
                except RecursionError:
                    yield RawRow(row, None, "not valid JSON: nested too deep")
                    continue
                if not isinstance(record, dict):
                    yield RawRow(row, None, "not a JSON object")
                    continue
                if has_lone_surrogate(record):
                    yield RawRow(row, None, "not valid text: an unpaired surrogate escape such as \\ud800")
                    continue
                yield RawRow(row, record)


class ParquetSource(Source):
    fmt = "parquet"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as err:
            raise UserError(
                f"{path}: not a readable Parquet file ({err}); pass the right --format"
            ) from None
        self.columns = list(self._file.schema_arrow.names)
        self.total = self._file.metadata.num_rows

    def rows(self) -> Iterator[RawRow]:
        import pyarrow as pa

        row = 0
        try:
            for batch in self._file.iter_batches(batch_size=PARQUET_BATCH):
                for record in batch.to_pylist():
                    row += 1
                    yield RawRow(row, record)
        except (pa.ArrowException, OSError) as err:
            raise UserError(
                f"{self.path}: Parquet data unreadable near row {row + 1}: {err}"
            ) from None


class Tau2Source(Source):
    """The tau2-bench retail ``db.json``: one row per variant, fields already named.

    The file is one JSON document, so it is read whole (the demo store is 2.8 MB).
    """

    fmt = "tau2"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise UserError(
                f"{path}: not a tau2 db.json ({str(err)[:200] or type(err).__name__}); pass the right --format"
            ) from None
        if has_lone_surrogate(data):
            raise UserError(f"{path}: not valid text (an unpaired surrogate escape such as \\ud800)")
        products = data.get("products") if isinstance(data, dict) else None
        if not isinstance(products, dict) or not all(
            isinstance(p, dict) and isinstance(p.get("variants"), dict) for p in products.values()
        ):
            raise UserError(
                f"{path}: not a tau2 db.json (expected {{'products': {{id: {{name, variants}}}}}})"
            )
        self._products = products
        self.total = sum(len(p["variants"]) for p in products.values())

    def rows(self) -> Iterator[RawRow]:
        row = 0
        for product_id, product in self._products.items():
            name = str(product.get("name", "")).strip()
            for item_id, variant in product["variants"].items():
                row += 1
                if not isinstance(variant, dict):
                    yield RawRow(row, None, "variant is not a JSON object")
                    continue
                yield RawRow(
                    row,
                    tau2_variant_record(
                        name, product.get("product_id", product_id), item_id, variant
                    ),
                )


def tau2_variant_record(
    name: str, product_id: str, item_id: str, variant: dict[str, Any]
) -> dict[str, Any]:
    """One tau2 variant as field values: title and description say the options."""
    options = variant.get("options") or {}
    if not isinstance(options, dict):
        options = {}
    values = [str(v) for v in options.values()]
    title = f"{name} — {', '.join(values)}" if values else name
    parts = [f"{k} {v}" for k, v in options.items()]
    if len(parts) > 1:
        described = ", ".join(parts[:-1]) + " and " + parts[-1]
    else:
        described = "".join(parts)
    description = f"{name} with {described}." if described else f"{name}."
    return {
        "id": str(variant.get("item_id", item_id)),
        "group_id": str(product_id),
        "title": title,
        "description": description,
        "category": name or None,
        "brand": None,
        "price": variant.get("price"),
        "currency": "USD",
        "available": variant.get("available", True),
        "attributes": options,
    }


_READERS: dict[str, type[Source]] = {
    "csv": CsvSource,
    "jsonl": JsonlSource,
    "parquet": ParquetSource,
    "tau2": Tau2Source,
}


def open_source(path: str | Path, fmt: str = "auto") -> Source:
    """Open a catalogue file for streaming; raises ``UserError`` if it cannot be read."""
    path = Path(path)
    kind = detect_format(path, fmt)
    return _READERS[kind](path)
