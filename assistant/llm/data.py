"""Read the exported JSON lines (``aisle feedback export``) into a ``datasets.Dataset`` for TRL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import UserError

COLUMNS: dict[str, tuple[str, ...]] = {
    "sft": ("messages",),
    "dpo": ("prompt", "chosen", "rejected"),
}


def read_records(path: Path | str, method: str) -> list[dict[str, Any]]:
    """The records of an export file, keeping only the columns ``method`` trains on.

    Raises:
        UserError: missing file, bad JSON, a record without the needed fields, or no records.
    """
    if method not in COLUMNS:
        raise UserError(f"method {method!r} is not known; use sft or dpo")
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"training file {path} does not exist; create it with "
            f"`aisle feedback export --format {method} {path}`"
        )
    needed = COLUMNS[method]
    records = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise UserError(f"{path}:{lineno}: not valid JSON ({err.msg})") from err
            missing = [c for c in needed if c not in rec]
            if missing:
                raise UserError(
                    f"{path}:{lineno}: missing {', '.join(missing)}; a {method} file needs "
                    f"{', '.join(needed)} (export it with --format {method})"
                )
            records.append({c: rec[c] for c in needed})
    if not records:
        raise UserError(f"{path} has no records; collect feedback first (`aisle feedback add`)")
    return records


def load_training_dataset(path: Path | str, method: str):
    """A ``datasets.Dataset`` of the file's records (conversational format)."""
    from datasets import Dataset

    return Dataset.from_list(read_records(path, method))
