"""Recommender versions and the store's interaction sequences.

Versions live like dialogue models: a folder ``settings.models_dir/<version>/`` holding
``recommender.pt`` and a ``ModelVersion`` row with ``kind="recommender"``. A candidate is
promoted only when its NDCG@10 on the fixed evaluation set is not worse than the live
version's (within ``promotion_tolerance``). The fixed set is the leave-one-out test part of
the data of the first training, written once to ``models_dir/recommender_eval.json``
(``[user, history item ids, held-out item id]`` rows) and reused from then on; an item a
model does not know counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from assistant.core import versions
from assistant.core.errors import UserError
from ranker.sequential import (
    ItemVocab,
    SASRec,
    SASRecConfig,
    evaluate_scores,
    leave_one_out,
    read_interactions,
    score_all,
    train_sasrec,
)

KIND = "recommender"
EVAL_FILE = "recommender_eval.json"
# events that say the shopper wanted the item, in the store's vocabulary
POSITIVE_EVENTS = ("view", "click", "more_like_this", "add_to_cart", "purchase")


_settings = versions.settings_or_default
_session = versions.store_session
_no_schema = versions.no_schema


def new_version_id() -> str:
    return versions.version_id("rec")


def read_interaction_file(path: str | Path) -> dict[str, list[str]]:
    """:func:`read_interactions` with user errors for a missing or malformed file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no interaction file at {path}")
    try:
        seqs = read_interactions(path)
    except (ValueError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read {path}: {err}") from err
    if not seqs:
        raise UserError(f"{path} has no interactions (expected lines 'USER ITEM ITEM ...')")
    return seqs


def store_histories(session, user_id: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Each shopper's ``(product id, kind)`` history, oldest first (one shopper with
    ``user_id``): order lines as purchases (cancelled orders skipped; by order time, then
    order id) and positive interaction events of signed-in users, merged by time;
    consecutive repeats of one product are kept once."""
    from assistant.core.models import InteractionEvent, Order

    stamped: dict[str, list[tuple[datetime, str, int, str, str]]] = {}
    query = select(Order.customer_id, Order.id, Order.updated_at, Order.items).where(
        Order.status != "cancelled"
    )
    if user_id is not None:
        query = query.where(Order.customer_id == user_id)
    for customer, oid, at, items in session.execute(query):
        for n, item in enumerate(items or []):
            pid = item.get("item_id") or item.get("product_id")
            if pid:
                row = (at or datetime.min, oid, n, str(pid), "purchase")
                stamped.setdefault(customer, []).append(row)
    query = select(
        InteractionEvent.user_id,
        InteractionEvent.created_at,
        InteractionEvent.id,
        InteractionEvent.product_id,
        InteractionEvent.kind,
    ).where(InteractionEvent.user_id.is_not(None), InteractionEvent.kind.in_(POSITIVE_EVENTS))
    if user_id is not None:
        query = query.where(InteractionEvent.user_id == user_id)
    for user, at, eid, pid, kind in session.execute(query):
        stamped.setdefault(user, []).append((at or datetime.min, "~", eid, str(pid), kind))
    out: dict[str, list[tuple[str, str]]] = {}
    for user, events in stamped.items():
        seq: list[tuple[str, str]] = []
        for *_, pid, kind in sorted(events):
            if not seq or seq[-1][0] != pid:
                seq.append((pid, kind))
        out[user] = seq
    return out


def store_sequences(session) -> dict[str, list[str]]:
    """:func:`store_histories` without the event kinds: the training sequences."""
    return {u: [pid for pid, _ in h] for u, h in store_histories(session).items()}


def recommend_for_user(user_id: str, k: int = 5, settings=None) -> dict[str, Any]:
    """The live recommender's top ``k`` for a shopper of the store, products they already
    bought left out, each with its title and reason; popular items for a new shopper."""
    from assistant.core.models import Customer, Product

    settings = _settings(settings)
    try:
        with _session(settings) as s:
            rec = live_recommender(s)
            if rec is None:
                raise UserError("no live recommender; run `aisle train recommender`")
            history = store_histories(s, user_id).get(user_id, [])
            known_user = s.get(Customer, user_id) is not None or bool(history)
            bought = [pid for pid, kind in history if kind == "purchase"]
            ids = {pid for pid, _ in history} | set(rec.vocab.ids)
            rows = s.execute(select(Product.id, Product.title).where(Product.id.in_(ids)))
            titles = {pid: title for pid, title in rows}
            recs = rec.recommend(history, k, titles=titles, exclude=bought)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    for r in recs:
        r["title"] = titles.get(r["id"], r["id"])
    return {
        "user": user_id,
        "known": known_user,
        "version": rec.version,
        "history": [
            {"id": pid, "kind": kind, "title": titles.get(pid, pid)} for pid, kind in history
        ],
        "recommendations": recs,
    }


def _data_hash(seqs: Mapping[str, Sequence[str]]) -> str:
    digest = hashlib.sha256()
    for user in sorted(seqs):
        digest.update((user + " " + " ".join(seqs[user]) + "\n").encode())
    return digest.hexdigest()[:16]


def fixed_eval_set(settings, seqs: Mapping[str, Sequence[str]]) -> tuple[list, str]:
    path = Path(settings.models_dir) / EVAL_FILE
    if not path.exists():
        split = leave_one_out(seqs)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([[u, h, t] for u, h, t in split.test]))
    raw = path.read_bytes()
    return json.loads(raw), hashlib.sha256(raw).hexdigest()[:16]


def evaluate_model(
    model: SASRec, vocab: ItemVocab, rows: Sequence, ks: Sequence[int] = (5, 10)
) -> dict[str, float]:
    """Full-ranking metrics of ``model`` on ``[user, history, target]`` rows of item ids."""
    hist, tgt, misses = [], [], 0
    for _, history, target in rows:
        if target in vocab.index:
            hist.append(vocab.encode(history))
            tgt.append(vocab.index[target])
        else:
            misses += 1
    if not hist:
        return {f"{m}@{k}": 0.0 for k in ks for m in ("recall", "ndcg")} | {"users": len(rows)}
    device = next(model.parameters()).device
    ranks, top = score_all(
        model.score, hist, max_len=model.config.max_len, targets=tgt, top=max(10, *ks),
        device=device,
    )  # fmt: skip
    # an unknown target is a miss: rank it past every list
    ranks = torch.cat([ranks, torch.full((misses,), len(vocab) + 1, dtype=ranks.dtype)])
    out = evaluate_scores(ranks, top, len(vocab), ks=ks)
    out["users"] = len(rows)
    return out


def train_on(
    seqs: Mapping[str, Sequence[str]],
    config: SASRecConfig | None = None,
    device: torch.device | None = None,
) -> tuple[SASRec, ItemVocab, dict[str, Any]]:
    """Leave-one-out train (early stopping on validation) of a model over ``seqs`` (ids)."""
    vocab = ItemVocab.from_sequences(seqs.values())
    encoded = {u: vocab.encode(s) for u, s in seqs.items()}
    split = leave_one_out(encoded)
    config = config or SASRecConfig()
    model, report = train_sasrec(split, len(vocab), config, device=device)
    return model, vocab, {"split": split, "report": report}


def train_recommender(
    seqs: Mapping[str, Sequence[str]] | None = None,
    *,
    config: SASRecConfig | None = None,
    settings=None,
) -> dict[str, Any]:
    """Train a candidate (from ``seqs``, else from the store), save it, score it and the
    live version on the fixed evaluation set, and promote it when not worse."""
    from assistant.core.device import resolve_device
    from assistant.core.models import ModelVersion

    settings = _settings(settings)
    try:
        if seqs is None:
            with _session(settings) as s:
                seqs = store_sequences(s)
        with _session(settings) as s:
            live = _live_row(s)
            live_id, live_path = (live.id, live.path) if live else (None, None)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err
    if sum(1 for s in seqs.values() if len(s) >= 3) == 0:
        raise UserError("no shopper has 3 or more interactions; nothing to learn from")
    device = resolve_device()
    model, vocab, info = train_on(seqs, config, device)
    rows, eval_hash = fixed_eval_set(settings, seqs)
    version = new_version_id()
    folder = Path(settings.models_dir) / version
    metrics = evaluate_model(model, vocab, rows)
    metrics.update(
        eval_hash=eval_hash,
        train_s=round(info["report"].train_s, 2),
        epochs=info["report"].epochs,
        items=len(vocab),
        shoppers=len(seqs),
    )
    popularity = [0.0] * (len(vocab) + 1)
    for items in info["split"].train.values():
        for i in items:
            popularity[i] += 1.0
    model.save(folder, vocab, {"version": version, "popularity": popularity})
    live_metrics: dict[str, Any] = {}
    if live_path and (Path(live_path) / "recommender.pt").exists():
        live_model, live_vocab, _ = SASRec.load(live_path, device)
        live_metrics = evaluate_model(live_model, live_vocab, rows)
        live_metrics.update(version=live_id, eval_hash=eval_hash)
    promoted = (
        not live_metrics
        or metrics["ndcg@10"] >= live_metrics["ndcg@10"] - settings.promotion_tolerance
    )
    with _session(settings) as s:
        s.add(
            ModelVersion(
                id=version,
                kind=KIND,
                path=str(folder),
                status="candidate",
                parent=live_id,
                data_hash=_data_hash(seqs),
                metrics=metrics,
            )
        )
    if promoted:
        promote(version, settings)
    return {
        "version": version,
        "promoted": promoted,
        "metrics": {"candidate": metrics, "live": live_metrics},
    }


def _live_row(session):
    from assistant.core.models import ModelVersion

    return session.scalars(
        select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.status == "live")
    ).first()


def promote(version: str, settings=None) -> None:
    """Make ``version`` live; the previous live recommender is retired (kept)."""
    from assistant.core.models import ModelVersion

    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = s.get(ModelVersion, version)
            if row is None or row.kind != KIND:
                raise UserError(f"unknown recommender version {version!r}")
            for other in s.scalars(
                select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.status == "live")
            ):
                if other.id != version:
                    other.status = "retired"
            row.status = "live"
            row.promoted_at = datetime.now(UTC).replace(tzinfo=None)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err


def version_path(version: str | None = None, settings=None) -> Path:
    """The folder of ``version`` (the live recommender when ``None``)."""
    from assistant.core.models import ModelVersion

    settings = _settings(settings)
    try:
        with _session(settings) as s:
            row = _live_row(s) if version is None else s.get(ModelVersion, version)
            if row is None or row.kind != KIND:
                if version is None:
                    raise UserError("no live recommender; run `aisle train recommender`")
                raise UserError(f"unknown recommender version {version!r}")
            return Path(row.path)
    except (OperationalError, ProgrammingError) as err:
        raise _no_schema(err) from err


def list_versions(settings=None) -> list[dict[str, Any]]:
    from assistant.core.models import ModelVersion

    settings = _settings(settings)
    with _session(settings) as s:
        rows = s.scalars(
            select(ModelVersion)
            .where(ModelVersion.kind == KIND)
            .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
        ).all()
        return [
            {"version": r.id, "status": r.status, "parent": r.parent,
             "ndcg@10": (r.metrics or {}).get("ndcg@10")}
            for r in rows
        ]  # fmt: skip


# --------------------------------------------------------------------------- serving

VERBS = {
    "purchase": "bought",
    "add_to_cart": "added to your cart",
    "more_like_this": "liked",
    "click": "looked at",
    "view": "looked at",
}


def because_text(kind: str, name: str) -> str:
    """The reason naming a history item: "because you bought X", "... added X to your cart"."""
    if kind == "add_to_cart":
        return f"because you added {name} to your cart"
    return f"because you {VERBS.get(kind, 'looked at')} {name}"


class Recommender:
    """A trained version ready to score: next-item scores for a shopper's history (the
    events as they stand, so a click in this session counts without retraining), each
    recommended item with the history item it is closest to as its reason, and the
    training popularity for a shopper with no known history."""

    def __init__(self, model: SASRec, vocab: ItemVocab, extra: Mapping[str, Any] | None = None):
        self.model = model.eval()
        self.vocab = vocab
        counts = (extra or {}).get("popularity")
        self.popularity = (
            torch.tensor(counts, dtype=torch.float32) if counts else torch.zeros(len(vocab) + 1)
        )
        self.version = (extra or {}).get("version")
        with torch.no_grad():
            vec = model.item_vectors().detach().float().cpu()
        self.unit = vec / vec.norm(dim=1, keepdim=True).clamp_min(1e-12)

    @classmethod
    def load(cls, folder: str | Path, device: torch.device | None = None) -> Recommender:
        model, vocab, extra = SASRec.load(folder, device)
        return cls(model, vocab, extra)

    def scores(self, history: Sequence[str]) -> dict[str, float] | None:
        """Every known item's next-item probability scaled so the best is 1 (None when no
        item of ``history`` is known)."""
        encoded = self.vocab.encode(history)
        if not encoded:
            return None
        from ranker.sequential import pad_histories

        s = self.model.score(pad_histories([encoded], self.model.config.max_len))[0].cpu()
        p = torch.softmax(s, 0)
        p = p / p.max()
        return {item: float(p[i + 1]) for i, item in enumerate(self.vocab.ids)}

    def because(self, item: str, history: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
        """``(product id, event kind)`` of the history item most similar to ``item``."""
        idx = self.vocab.index.get(item)
        known = [(pid, kind) for pid, kind in history if pid in self.vocab.index and pid != item]
        if idx is None or not known:
            return None
        rows = torch.tensor([self.vocab.index[pid] for pid, _ in known])
        best = int(torch.argmax(self.unit[rows] @ self.unit[idx]))
        return known[best]

    def recommend(
        self,
        history: Sequence[tuple[str, str]],
        k: int = 5,
        *,
        titles: Mapping[str, str] | None = None,
        exclude: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Top ``k`` items after ``history`` (``(product id, event kind)``, oldest first),
        skipping ``exclude``; each with ``score``, ``reason`` and ``because``."""
        titles = titles or {}
        hidden = set(exclude)
        scores = self.scores([pid for pid, _ in history])
        if scores is None:
            order = torch.argsort(self.popularity[1:], descending=True, stable=True).tolist()
            picks = [self.vocab.ids[i] for i in order if self.vocab.ids[i] not in hidden][:k]
            return [
                {"id": pid, "score": 0.0, "reason": "popular with shoppers", "because": None}
                for pid in picks
            ]
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        out = []
        for pid, score in ranked:
            if pid in hidden:
                continue
            reason, anchor = self.reason(pid, history, titles)
            out.append({"id": pid, "score": round(score, 4), "reason": reason, "because": anchor})
            if len(out) == k:
                break
        return out

    def reason(
        self, item: str, history: Sequence[tuple[str, str]], titles: Mapping[str, str] | None = None
    ) -> tuple[str, str | None]:
        """``(reason, product id it names)`` for recommending ``item`` after ``history``:
        "because you bought X" for the nearest history item, else a generic reason."""
        anchor = self.because(item, history)
        if anchor is None:
            return "often next for shoppers like you", None
        name = (titles or {}).get(anchor[0], anchor[0])
        return because_text(anchor[1], name), anchor[0]


_loaded: dict[str, Recommender] = {}


def live_recommender(session) -> Recommender | None:
    """The live recommender of the database ``session`` reads (cached per version), or
    None when there is none (or no model_versions table)."""
    try:
        row = _live_row(session)
    except (OperationalError, ProgrammingError):
        return None
    if row is None or not (Path(row.path) / "recommender.pt").exists():
        return None
    if row.id not in _loaded:
        from assistant.core.device import resolve_device

        _loaded[row.id] = Recommender.load(row.path, resolve_device())
    return _loaded[row.id]
