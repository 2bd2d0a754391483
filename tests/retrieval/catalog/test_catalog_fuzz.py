"""Generated catalogue files (``benchmarks/load_fault.py`` fuzz strategies, a small budget):
every file is read or refused with a one-line error, every row imported or rejected with its
row number, never a traceback. The benchmark runs the same properties with a larger budget."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from assistant.errors import UserError
from assistant.store.db import session_factory
from retrieval.catalog import import_catalog
from retrieval.catalog.schema import MAX_PRICE_CHARS

_SPEC = importlib.util.spec_from_file_location(
    "load_fault", Path(__file__).parents[3] / "benchmarks" / "load_fault.py"
)
load_fault = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(load_fault)
STRATEGIES = load_fault.fuzz_strategies()
SMALL = settings(max_examples=25, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip


@SMALL
@given(STRATEGIES["rows"])
def test_generated_csv_rows(engine, tmp_path, rows):
    path = load_fault.write_csv(rows, tmp_path / "rows.csv")
    with session_factory(engine)() as session:
        load_fault.check_import(path, "csv", len(rows), session)
        session.rollback()


@SMALL
@given(STRATEGIES["json_rows"])
def test_generated_jsonl_rows(engine, tmp_path, rows):
    path = load_fault.write_jsonl(rows, tmp_path / "rows.jsonl")
    with session_factory(engine)() as session:
        load_fault.check_import(path, "jsonl", len(rows), session)
        session.rollback()


def _rejections(engine, path, fmt):
    with session_factory(engine)() as session:
        report = import_catalog(path, fmt=fmt, session=session)
        session.rollback()
    return report


def test_a_20000_digit_price_is_a_rejected_row_with_a_short_error(engine, tmp_path):
    # the money parser took 7 s on this cell (found by the fuzzer); now it is refused by length
    path = load_fault.write_csv([{"id": "a", "title": "A", "price": "9" * 20_000},
                                 {"id": "b", "title": "B", "price": "12,99"}], tmp_path / "p.csv")  # fmt: skip
    report = _rejections(engine, path, "csv")
    assert report.imported == 1 and [r.row for r in report.rejected] == [1]
    assert "20,000 characters" in report.rejected[0].error and len(report.rejected[0].error) < 100
    assert len("1.234.567.890,00 EUR") < MAX_PRICE_CHARS


@pytest.mark.parametrize("cell", ["9" * 5000, "[" * 50_000, '{"a":' * 20_000])
def test_attributes_too_long_or_deep_to_read_reject_the_row(engine, tmp_path, cell):
    # a 5,000-digit number raised ValueError and 50,000 brackets RecursionError out of the import
    path = load_fault.write_csv([{"id": "a", "title": "A", "price": "1", "attributes": cell},
                                 {"id": "b", "title": "B", "price": "2"}], tmp_path / "a.csv")  # fmt: skip
    report = _rejections(engine, path, "csv")
    assert report.imported == 1 and [r.row for r in report.rejected] == [1]
    assert "attributes must be a JSON object" in report.rejected[0].error


def test_jsonl_lines_too_long_or_deep_to_read_are_rejected_rows(engine, tmp_path):
    path = tmp_path / "raw.jsonl"
    good = json.dumps({"id": "a", "title": "A", "price": 1})
    path.write_text("\n".join([good, "9" * 20_000, "[" * 50_000,
                               '{"id": "b", "title": "B", "price": ' + "9" * 5000 + "}"]) + "\n")  # fmt: skip
    report = _rejections(engine, path, "jsonl")
    assert report.imported == 1
    assert [(r.row, r.error) for r in report.rejected] == [
        (2, "not valid JSON: a number too long to read"),
        (3, "not valid JSON: nested too deep"),
        (4, "not valid JSON: a number too long to read"),
    ]


@pytest.mark.parametrize("first", ["9" * 20_000, "[" * 50_000])
def test_a_jsonl_file_whose_first_line_cannot_be_read_is_refused(engine, tmp_path, first):
    path = tmp_path / "bad.jsonl"
    path.write_text(first + "\n")
    with pytest.raises(UserError, match="not JSON lines"):
        _rejections(engine, path, "jsonl")


def test_a_tau2_file_with_an_unreadable_number_is_refused(engine, tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"products": {"p": {"variants": {}, "n": ' + "9" * 5000 + "}}}")
    with pytest.raises(UserError, match="not a tau2 db.json"):
        _rejections(engine, path, "tau2")


def test_a_rejection_quotes_at_most_300_characters(engine, tmp_path):
    path = load_fault.write_csv([{"id": "a", "title": "A", "price": "1", "available": "x" * 40_000}],
                                tmp_path / "v.csv")  # fmt: skip
    (rejected,) = _rejections(engine, path, "csv").rejected
    assert rejected.error.startswith("available must be true/false") and len(rejected.error) <= 300


def test_a_json_integer_too_large_for_a_float_is_a_rejected_price(engine, tmp_path):
    # 4,000 digits parse as an int but float() overflowed out of the import (found by the fuzzer)
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": "a", "title": "A", "price": ' + "9" * 4000 + "}\n")
    (rejected,) = _rejections(engine, path, "jsonl").rejected
    assert rejected.error == "price is not a number: an integer of 4,000 digits"


def test_a_jsonl_row_with_an_unpaired_surrogate_escape_is_rejected(engine, tmp_path):
    # json.loads turns "\ud800" into a lone surrogate that SQLite cannot store: the whole
    # import failed with UnicodeEncodeError (found by the fuzzer); a paired escape is an emoji
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "title": "A \\ud83d\\ude00", "price": 1}\n'
                    '{"id": "b", "title": "B \\ud800", "price": 2}\n'
                    '{"id": "c", "title": "C", "price": 3, "attributes": {"\\udfff": "x"}}\n')  # fmt: skip
    report = _rejections(engine, path, "jsonl")
    assert report.imported == 1
    assert [r.row for r in report.rejected] == [2, 3]
    assert all("unpaired surrogate" in r.error for r in report.rejected)


def test_a_tau2_file_with_an_unpaired_surrogate_escape_is_refused(engine, tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"products": {"p": {"name": "\\ud800", "variants": {}}}}')
    with pytest.raises(UserError, match="unpaired surrogate"):
        _rejections(engine, path, "tau2")
