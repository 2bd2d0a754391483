"""Model versions of the dialogue model: folders under ``settings.models_dir/<version>/``
and ``ModelVersion`` rows. One version is ``live``; candidates are promoted only when not
worse than the live one on the fixed evaluation set; ``rollback`` restores the previous."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from assistant.core import versions
from assistant.errors import UserError
from assistant.nlu.corpus import Corpus, Example
from assistant.nlu.evaluation import TrainResult, evaluate
from assistant.nlu.model import DialogueModel
from assistant.store.models import ModelVersion

logger = logging.getLogger(__name__)
EVAL_FILE = "eval_set.jsonl"
KIND = "dialogue"
_lock = threading.Lock()
_models: dict[str, DialogueModel] = {}  # folder -> loaded model
_live: dict[str, str] = {}  # database url -> live version id


_settings = versions.settings_or_default
_session = versions.store_session
_no_schema = versions.no_schema


def new_version_id() -> str:
    return versions.version_id("dlg")


def data_hash(corpus_hash: str, extras: Sequence[Example]) -> str:
    digest = hashlib.sha256(corpus_hash.encode())
    for ex in extras:
        digest.update(json.dumps(ex.to_dict(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def fixed_eval_set(settings, corpus: Corpus) -> tuple[list[Example], str]:
    """The evaluation set every version is scored on: the corpus's held-out split, written
    once to ``models_dir/eval_set.jsonl`` and reused from then on."""
    path = Path(settings.models_dir) / EVAL_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in corpus.test))
    raw = path.read_bytes()
    examples = [
        Example.from_dict(json.loads(line)) for line in raw.decode().splitlines() if line.strip()
    ]
    return examples, hashlib.sha256(raw).hexdigest()[:16]


def _live_row(session) -> ModelVersion | None:
    return session.scalars(
        select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.status == "live")
    ).first()


def load_model(path: str | Path) -> DialogueModel:
    """Load (once per process) the model saved in ``path``."""
    key = str(Path(path).resolve())
    with _lock:
        if key not in _models:
            from assistant.core.device import resolve_device

            _models[key] = DialogueModel.load(Path(path), resolve_device())
        return _models[key]


def load_version(version: str, settings=None) -> DialogueModel:
    """The model of one stored version (e.g. the candidate of an A/B test)."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = s.get(ModelVersion, version)
            path = row.path if row else None
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    if path is None:
        raise UserError(f"unknown model version {version!r}; see `aisle model list`")
    return load_model(path)


def load_live_model(settings=None) -> DialogueModel:
    """The live dialogue model, cached in-process and reloaded when the live version changes."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = _live_row(s)
            found = (row.id, row.path) if row else None
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    if found is None:
        raise UserError("no live dialogue model; run `aisle init` or `aisle train dialogue`")
    version, path = found
    if _live.get(settings.db_url) != version:
        logger.info("loading live dialogue model %s", version)
        _live[settings.db_url] = version
    return load_model(path)


def usable_live_version(settings=None) -> str | None:
    """The live version id when its folder holds a model, else ``None``."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = _live_row(s)
            if row is not None and (Path(row.path) / "model.pt").exists():
                return row.id
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    return None


def register_candidate(
    model: DialogueModel,
    settings,
    metrics: dict[str, Any],
    eval_set: Sequence[Example],
    eval_hash: str,
):
    """Save the candidate, score the live model on the same evaluation set, store the row and
    promote when ``candidate.macro_f1 >= live.macro_f1 - promotion_tolerance``."""
    folder = Path(settings.models_dir) / model.version
    model.save(folder)
    try:
        with _session(settings) as s:
            live = _live_row(s)
            live_id, live_path = (live.id, live.path) if live else (None, None)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    live_metrics: dict[str, Any] = {}
    if live_path and (Path(live_path) / "model.pt").exists():
        live_metrics = evaluate(load_model(live_path), list(eval_set))
        live_metrics["version"] = live_id
        live_metrics["eval_hash"] = eval_hash
    promoted = (
        not live_metrics
        or metrics["macro_f1"] >= live_metrics["macro_f1"] - settings.promotion_tolerance
    )
    with _session(settings) as s:
        s.add(
            ModelVersion(
                id=model.version,
                kind=KIND,
                path=str(folder),
                status="candidate",
                parent=live_id,
                data_hash=model.meta.data_hash,
                metrics=metrics,
            )
        )
    if promoted:
        promote(model.version, settings)
    logger.info(
        "trained %s (macro-F1 %.4f); promoted=%s", model.version, metrics["macro_f1"], promoted
    )
    summary = {k: v for k, v in metrics.items()}
    return TrainResult(
        version=model.version,
        promoted=promoted,
        metrics={"candidate": summary, "live": live_metrics},
        path=str(folder),
    )


def promote(version: str, settings=None) -> None:
    """Make ``version`` live; the current live version is retired (kept for rollback)."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = s.get(ModelVersion, version)
            if row is None or row.kind != KIND:
                raise UserError(f"unknown model version {version!r}; see `aisle model list`")
            if not (Path(row.path) / "model.pt").exists():
                raise UserError(
                    f"model version {version!r} has no weights at {row.path}; retrain it"
                )
            for other in s.scalars(
                select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.status == "live")
            ):
                if other.id != version:
                    other.status = "retired"
            row.status = "live"
            row.promoted_at = datetime.now(UTC).replace(tzinfo=None)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err


def rollback(settings=None) -> str:
    """The version live before the current one becomes live again; returns its id."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            live = _live_row(s)
            if live is None or live.promoted_at is None:
                raise UserError("no live dialogue model to roll back")
            previous = s.scalars(
                select(ModelVersion)
                .where(
                    ModelVersion.kind == KIND,
                    ModelVersion.id != live.id,
                    ModelVersion.promoted_at.is_not(None),
                    ModelVersion.promoted_at < live.promoted_at,
                )
                .order_by(ModelVersion.promoted_at.desc())
            ).first()
            if previous is None:
                raise UserError(
                    f"{live.id} is the first live version; there is nothing to roll back to"
                )
            live.status = "retired"
            previous.status = "live"
            return previous.id
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err


def list_versions(settings=None) -> list[dict[str, Any]]:
    """Every dialogue version, newest first, with status, parent, data hash and key metrics."""
    settings = _settings(settings)
    try:
        with _session(settings) as s:
            rows = s.scalars(
                select(ModelVersion)
                .where(ModelVersion.kind == KIND)
                .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
            ).all()
            return [
                {
                    "version": r.id,
                    "status": r.status,
                    "parent": r.parent,
                    "data_hash": r.data_hash,
                    "path": r.path,
                    "created_at": r.created_at,
                    "promoted_at": r.promoted_at,
                    "macro_f1": (r.metrics or {}).get("macro_f1"),
                    "accuracy": (r.metrics or {}).get("accuracy"),
                    "eval_hash": (r.metrics or {}).get("eval_hash"),
                }  # fmt: skip
                for r in rows
            ]
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
