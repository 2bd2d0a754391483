"""The catalogue row: which fields a product has, how raw values are checked and mapped.

A raw record (one CSV row, one JSON line, one Parquet row) becomes a
``ProductRow`` through a ``ColumnMap``: ``--map FIELD=COLUMN`` pairs first, then
any column named like a field (case and spaces ignored), and every other column
becomes an attribute. A bad value raises ``RowError`` with a message that names
the field and the value.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from assistant.core.errors import UserError
from retrieval.money import parse_amount

FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "category",
    "subcategory",
    "brand",
    "price",
    "currency",
    "available",
    "image_url",
    "url",
    "attributes",
)
# Not in DESIGN's list, but recognised when a column has this name: ties variants together.
EXTRA_FIELDS: tuple[str, ...] = ("group_id", "product_id")
# ``product_id`` is the name DESIGN.md gives the column that groups variants into one
# product; it is stored as ``group_id``.
_KNOWN = FIELDS + EXTRA_FIELDS

MAX_LENGTH = {
    "id": 64,
    "group_id": 64,
    "product_id": 64,
    "title": 500,
    "category": 200,
    "subcategory": 200,
    "brand": 200,
    "image_url": 1000,
    "url": 1000,
    "description": 20_000,
}
# Attributes are read into every search result and the dialogue state: a row whose attribute
# name or value (as JSON) is over these is rejected, so one 2 MB cell cannot become a 2 MB
# index entry, card or saved state.
MAX_ATTRIBUTE_NAME_CHARS = 100
MAX_ATTRIBUTE_VALUE_CHARS = 1_000
MAX_ATTRIBUTES = 100
_TRUE = {"true", "t", "yes", "y", "1", "in stock", "instock", "available"}
_FALSE = {"false", "f", "no", "n", "0", "out of stock", "outofstock", "unavailable", "sold out"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class RowError(ValueError):
    """One row cannot be imported; the message says which field and why."""


@dataclass(frozen=True)
class ProductRow:
    """A validated product, ready to store."""

    id: str
    title: str
    price: float
    description: str = ""
    category: str | None = None
    subcategory: str | None = None
    brand: str | None = None
    currency: str = "USD"
    available: bool = True
    image_url: str | None = None
    url: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    group_id: str | None = None

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _ROW_FIELDS}

    def content_hash(self) -> str:
        """sha256 of everything but the id: equal hashes mean nothing to update."""
        data = self._fields()
        data.pop("id")
        return hashlib.sha256(_canonical(data).encode()).hexdigest()

    def to_values(self) -> dict[str, Any]:
        """Column values for the ``products`` table."""
        data = self._fields()
        data["content_hash"] = self.content_hash()
        return data


_ROW_FIELDS = tuple(f.name for f in fields(ProductRow))


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def generated_id(
    title: str,
    category: str | None,
    subcategory: str | None,
    brand: str | None,
    attributes: Mapping[str, Any],
    group_id: str | None = None,
) -> str:
    """A stable id from what identifies a product (not its price, stock or description).

    Re-importing the same file, or one with new prices, updates the same products.
    """
    key = _canonical([title.strip().lower(), category, subcategory, brand, group_id, attributes])
    return "p" + hashlib.sha1(key.encode()).hexdigest()[:20]


def normalise_name(name: str) -> str:
    """How a column name is compared with a field name: ``"Image URL"`` -> ``"image_url"``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def parse_mapping(mapping: Mapping[str, str] | Iterable[str] | None) -> dict[str, str]:
    """``["title=Name", ...]`` or ``{"title": "Name"}`` -> ``{field: column}``; checks fields."""
    if mapping is None:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(mapping, Mapping):
        pairs = [(str(k), str(v)) for k, v in mapping.items()]
    else:
        for item in mapping:
            fld, sep, col = str(item).partition("=")
            if not sep or not fld.strip() or not col.strip():
                raise UserError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map title=Name")
            pairs.append((fld, col))
    out: dict[str, str] = {}
    for fld, col in pairs:
        name = fld.strip().lower()
        if name not in _KNOWN:
            raise UserError(
                f"--map {fld}={col}: unknown field {fld!r}; fields are {', '.join(FIELDS)}"
            )
        if name in out:
            raise UserError(
                f"--map: field {name!r} is mapped twice ({out[name]!r} and {col.strip()!r})"
            )
        out[name] = col.strip()
    return out


class ColumnMap:
    """Turns raw records into ``ProductRow``s: explicit map, then same-name columns, then attributes."""

    def __init__(self, explicit: Mapping[str, str]) -> None:
        self.explicit = dict(explicit)
        self._used = set(self.explicit.values())
        self._auto: dict[str, str | None] = {}

    def check_columns(self, columns: Iterable[str], source: str) -> None:
        """Every explicitly mapped column must exist (formats with a header)."""
        present = set(columns)
        for fld, col in self.explicit.items():
            if col not in present:
                shown = ", ".join(sorted(present)[:30])
                raise UserError(
                    f"--map {fld}={col}: {source} has no column {col!r} (columns: {shown})"
                )

    def _auto_field(self, column: str) -> str | None:
        if column not in self._auto:
            name = normalise_name(column)
            ok = name in _KNOWN and name not in self.explicit and column not in self._used
            self._auto[column] = name if ok else None
        return self._auto[column]

    def split(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(field values, leftover columns that become attributes)."""
        values: dict[str, Any] = {fld: record.get(col) for fld, col in self.explicit.items()}
        extra: dict[str, Any] = {}
        for column, value in record.items():
            if column in self._used:
                continue
            fld = self._auto_field(column)
            if fld is not None and fld not in values:
                values[fld] = value
            elif not _blank(value):
                extra[str(column)] = value
        return values, extra

    def row(self, record: Mapping[str, Any]) -> ProductRow:
        values, extra = self.split(record)
        return build_row(values, extra, columns=self.explicit)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(name: str, value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, (dict, list)):
        raise RowError(f"{name} must be text, got {type(value).__name__}")
    text = str(value).strip()
    limit = MAX_LENGTH.get(name)
    if limit is not None and len(text) > limit:
        raise RowError(f"{name} is {len(text):,} characters; at most {limit:,} are accepted")
    return text


def check_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """``attributes`` within ``MAX_ATTRIBUTES`` names of at most ``MAX_ATTRIBUTE_NAME_CHARS``
    and values of at most ``MAX_ATTRIBUTE_VALUE_CHARS`` as JSON, else ``RowError``."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise RowError(f"{len(attributes):,} attributes; at most {MAX_ATTRIBUTES} are accepted")
    for key, value in attributes.items():
        if len(key) > MAX_ATTRIBUTE_NAME_CHARS:
            raise RowError(
                f"attribute name {key[:30]!r}... is {len(key):,} characters; "
                f"at most {MAX_ATTRIBUTE_NAME_CHARS} are accepted"
            )
        size = len(value) if isinstance(value, str) else len(json.dumps(value, ensure_ascii=False))
        if size > MAX_ATTRIBUTE_VALUE_CHARS:
            raise RowError(
                f"attribute {key!r} is {size:,} characters; at most {MAX_ATTRIBUTE_VALUE_CHARS:,} "
                "are accepted (put long text in the description)"
            )
    return dict(attributes)


_CELL_MONEY = re.compile(
    r"^\s*(?:[$€£¥]|[A-Za-z]{3})?\s*-?\s*\d[\d.,'\u00a0 ]*\s*(?:[$€£¥]|[A-Za-z]{3})?\s*$"
)
_SYMBOL_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
MAX_PRICE_CHARS = 64  # "1.234.567.890,00 EUR" is 20; a 20,000-digit cell took 7 s to read


def parse_price(value: Any) -> float:
    """A price cell: a number, or text such as "12,99", "80 €", "1.234,56 €", "$1,000.00".

    Separators and currency marks are read by ``retrieval.money.parse_amount``, the same
    parser that reads the shoppers' price phrases.
    """
    if _blank(value):
        raise RowError("price is missing")
    if isinstance(value, bool):
        raise RowError(f"price is not a number: {value!r}")
    if isinstance(value, (int, float, decimal.Decimal)):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer of 400+ digits
            raise RowError(f"price is not a number: an integer of {len(str(value)):,} digits") from None
    else:
        text = str(value).strip()
        if len(text) > MAX_PRICE_CHARS:  # the money parser is superlinear in a cell's length
            raise RowError(f"price is not a number: {text[:20]!r}... ({len(text):,} characters)")
        amount = parse_amount(text) if _CELL_MONEY.match(text) else None
        if amount is None:
            raise RowError(f"price is not a number: {text!r}")
        number = -amount if re.match(r"^\D*-", text) else amount
    if not math.isfinite(number):
        raise RowError(f"price is not a number: {str(value)!r}")
    if number < 0:
        raise RowError(f"price is negative: {number:g}")
    return number


def price_currency(value: Any) -> str | None:
    """The currency a price cell names by its symbol ("80 €" -> "EUR"), else ``None``."""
    if isinstance(value, str):
        for symbol, code in _SYMBOL_CURRENCY.items():
            if symbol in value:
                return code
    return None


def parse_available(value: Any) -> bool:
    if _blank(value):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"available must be true/false (or yes/no, 1/0), got {str(value)!r}")


def _currency(value: Any) -> str:
    if _blank(value):
        return "USD"
    code = str(value).strip().upper()
    if not _CURRENCY.match(code):
        raise RowError(f"currency must be a 3-letter code such as USD, got {str(value)!r}")
    return code


def jsonable(value: Any) -> Any:
    """Plain JSON types only (Parquet can hand over dates, decimals, bytes)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _attributes(value: Any) -> dict[str, Any]:
    if _blank(value):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # also a 5,000-digit number, 10,000 nested lists
            raise RowError('attributes must be a JSON object, e.g. {"color": "red"}') from None
    if isinstance(value, list) and all(isinstance(x, tuple) and len(x) == 2 for x in value):
        value = dict(value)  # a Parquet map column arrives as (key, value) pairs
    if not isinstance(value, Mapping):
        raise RowError('attributes must be a JSON object, e.g. {"color": "red"}')
    return jsonable(value)


def build_row(
    values: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
    columns: Mapping[str, str] | None = None,
) -> ProductRow:
    """Validate field values (and leftover columns as attributes) into a ``ProductRow``."""
    columns = columns or {}

    def where(fld: str) -> str:
        return f" (column {columns[fld]!r})" if fld in columns else ""

    title = _text("title", values.get("title"))
    if title is None:
        raise RowError("title is missing" + where("title"))
    try:
        price = parse_price(values.get("price"))
    except RowError as err:
        raise RowError(str(err) + where("price")) from None
    attributes = _attributes(values.get("attributes"))
    for key, val in (extra or {}).items():
        attributes.setdefault(key, jsonable(val.strip() if isinstance(val, str) else val))
    attributes = check_attributes(attributes)
    category = _text("category", values.get("category"))
    subcategory = _text("subcategory", values.get("subcategory"))
    brand = _text("brand", values.get("brand"))
    group_id = _text("group_id", values.get("group_id") or values.get("product_id"))
    if "id" in values:  # an id column exists (mapped or same-name): every row needs one
        pid = _text("id", values.get("id"))
        if pid is None:
            raise RowError("id is missing" + where("id"))
    else:
        pid = generated_id(title, category, subcategory, brand, attributes, group_id)
    return ProductRow(
        id=pid,
        title=title,
        price=price,
        description=_text("description", values.get("description")) or "",
        category=category,
        subcategory=subcategory,
        brand=brand,
        currency=_currency(values.get("currency") or price_currency(values.get("price"))),
        available=parse_available(values.get("available")),
        image_url=_text("image_url", values.get("image_url")),
        url=_text("url", values.get("url")),
        attributes=attributes,
        group_id=group_id,
    )
