"""Store-owner dashboard queries: small pandas DataFrames, one per plot.

Every function takes an open SQLAlchemy session and a window of ``days`` (counted
back from ``now``), and returns a DataFrame whose first column is the x axis.
Days without data are present with zero counts (rates are left empty), so a plot
shows gaps honestly.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import ChatSession, Feedback, Message, ModelVersion, Product

logger = logging.getLogger(__name__)

SEARCH_ACTIONS = ("search", "recommend")


def _since(days: int, now: datetime | None) -> tuple[datetime, list[date]]:
    now = now or datetime.utcnow()
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, [start.date() + timedelta(days=i) for i in range(days)]


def _per_day(values: dict[date, float], all_days: list[date], column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.to_datetime(all_days),
            column: pd.Series([values.get(d, 0) for d in all_days], dtype="int64"),
        }
    )


def conversations_over_time(
    session: Session, days: int = 30, now: datetime | None = None
) -> pd.DataFrame:
    """``day, conversations``: sessions started per day."""
    start, all_days = _since(days, now)
    counts: dict[date, float] = {}
    for (created,) in session.execute(
        select(ChatSession.created_at).where(ChatSession.created_at >= start)
    ):
        counts[created.date()] = counts.get(created.date(), 0) + 1
    return _per_day(counts, all_days, "conversations")


def thumbs_up_rate(session: Session, days: int = 30, now: datetime | None = None) -> pd.DataFrame:
    """``day, thumbs_up_rate, ratings``: share of thumbs up among thumbs given that day."""
    start, all_days = _since(days, now)
    up: dict[date, int] = {}
    total: dict[date, int] = {}
    rows = session.execute(
        select(Feedback.created_at, Feedback.rating).where(
            Feedback.created_at >= start, Feedback.rating.in_(("up", "down"))
        )
    )
    for created, rating in rows:
        d = created.date()
        total[d] = total.get(d, 0) + 1
        up[d] = up.get(d, 0) + (rating == "up")
    return pd.DataFrame(
        {
            "day": pd.to_datetime(all_days),
            "thumbs_up_rate": pd.Series(
                [up[d] / total[d] if total.get(d) else None for d in all_days], dtype="float64"
            ),
            "ratings": [total.get(d, 0) for d in all_days],
        }
    )


def handoff_rate(session: Session, days: int = 30, now: datetime | None = None) -> pd.DataFrame:
    """``day, handoff_rate``: share of the day's new sessions handed to a human."""
    start, all_days = _since(days, now)
    handed: dict[date, int] = {}
    total: dict[date, int] = {}
    rows = session.execute(
        select(ChatSession.created_at, ChatSession.handoff, ChatSession.mode).where(
            ChatSession.created_at >= start
        )
    )
    for created, handoff, mode in rows:
        d = created.date()
        total[d] = total.get(d, 0) + 1
        handed[d] = handed.get(d, 0) + bool(handoff or mode == "agent")
    return pd.DataFrame(
        {
            "day": pd.to_datetime(all_days),
            "handoff_rate": pd.Series(
                [handed[d] / total[d] if total.get(d) else None for d in all_days], dtype="float64"
            ),
        }
    )


def top_intents(
    session: Session, days: int = 30, limit: int = 10, now: datetime | None = None
) -> pd.DataFrame:
    """``intent, turns``: the most frequent understood intents, one count per shopper turn.

    A turn's intent is read from the user message when it carries one, else from the
    assistant reply that answered it.
    """
    start, _ = _since(days, now)
    rows = session.execute(
        select(Message.role, Message.intent).where(
            Message.created_at >= start,
            Message.intent.is_not(None),
            Message.role.in_(("user", "assistant")),
        )
    ).all()
    roles = {role for role, _ in rows}
    role = "user" if "user" in roles else "assistant"
    counts = pd.Series([intent for r, intent in rows if r == role], dtype="object").value_counts()
    frame = counts.head(limit).rename_axis("intent").reset_index(name="turns")
    return frame if len(frame) else pd.DataFrame({"intent": [], "turns": []})


def _plan_filters(plan: dict[str, Any]) -> dict[str, Any]:
    filters = plan.get("filters")
    if not isinstance(filters, dict):
        query = plan.get("query")
        filters = query.get("filters") if isinstance(query, dict) else None
    return filters if isinstance(filters, dict) else {}


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return {str(v).casefold() for v in values}


def violations(
    filters: dict[str, Any], product: dict[str, Any], row: Product | None = None
) -> list[str]:
    """The hard constraints (DESIGN Filters.to_dict keys) that a shown product breaks."""
    broken = []
    price = product.get("price", row.price if row else None)
    if (
        price is not None
        and filters.get("min_price") is not None
        and price < float(filters["min_price"]) - 1e-9
    ):
        broken.append("min_price")
    if (
        price is not None
        and filters.get("max_price") is not None
        and price > float(filters["max_price"]) + 1e-9
    ):
        broken.append("max_price")
    category = product.get("category", row.category if row else None)
    if filters.get("category") and str(category).casefold() not in _as_set(filters["category"]):
        broken.append("category")
    brand = product.get("brand", row.brand if row else None)
    if filters.get("brand") and str(brand).casefold() not in _as_set(filters["brand"]):
        broken.append("brand")
    if brand is not None and str(brand).casefold() in _as_set(filters.get("exclude_brand")):
        broken.append("exclude_brand")
    if str(product.get("id")).casefold() in _as_set(filters.get("exclude_ids")):
        broken.append("exclude_ids")
    if filters.get("available_only") and not product.get(
        "available", row.available if row else True
    ):
        broken.append("available_only")
    options = filters.get("options") or {}
    if options and row is not None:
        attrs = {str(k).casefold(): v for k, v in (row.attributes or {}).items()}
        for name, accepted in options.items():
            if not (_as_set(attrs.get(str(name).casefold())) & _as_set(accepted)):
                broken.append(f"options.{name}")
    return broken


def _search_messages(session: Session, start: datetime) -> list[Message]:
    return list(
        session.scalars(
            select(Message).where(Message.created_at >= start, Message.role == "assistant")
        )
    )


def zero_result_searches(
    session: Session, days: int = 30, now: datetime | None = None
) -> pd.DataFrame:
    """``day, zero_result_searches``: product searches that showed nothing."""
    start, all_days = _since(days, now)
    counts: dict[date, float] = {}
    for m in _search_messages(session, start):
        if (m.plan or {}).get("action") in SEARCH_ACTIONS and not m.products:
            counts[m.created_at.date()] = counts.get(m.created_at.date(), 0) + 1
    return _per_day(counts, all_days, "zero_result_searches")


def constraint_violations(
    session: Session, days: int = 30, now: datetime | None = None
) -> pd.DataFrame:
    """``day, constraint_violations``: shown products that break the turn's hard filters (must stay 0)."""
    start, all_days = _since(days, now)
    counts: dict[date, float] = {}
    for m in _search_messages(session, start):
        filters = _plan_filters(m.plan or {})
        if not filters or not m.products:
            continue
        for product in m.products:
            row = session.get(Product, product.get("id")) if product.get("id") else None
            if violations(filters, product, row):
                counts[m.created_at.date()] = counts.get(m.created_at.date(), 0) + 1
    return _per_day(counts, all_days, "constraint_violations")


def latency(session: Session, days: int = 30, now: datetime | None = None) -> pd.DataFrame:
    """``day, p50_ms, p95_ms``: reply latency percentiles per day (long format for a LinePlot:
    columns ``day, latency_ms, percentile``)."""
    start, all_days = _since(days, now)
    rows = session.execute(
        select(Message.created_at, Message.latency_ms).where(
            Message.created_at >= start, Message.latency_ms.is_not(None)
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["created_at", "latency_ms"])
    records = []
    for d in all_days:
        values = (
            frame.loc[frame["created_at"].map(lambda t: t.date()) == d, "latency_ms"]
            if len(frame)
            else []
        )
        for q, name in ((0.5, "p50"), (0.95, "p95")):
            value = float(pd.Series(values, dtype=float).quantile(q)) if len(values) else None
            records.append({"day": pd.Timestamp(d), "latency_ms": value, "percentile": name})
    frame = pd.DataFrame(records, columns=["day", "latency_ms", "percentile"])
    frame["latency_ms"] = frame["latency_ms"].astype("float64")
    return frame


def model_versions(session: Session) -> pd.DataFrame:
    """Every dialogue model version with its evaluation metrics and live statistics from
    ``assistant.experiments.compute_version_stats``: ``sessions``, ``ratings`` (rated replies),
    and ``live_thumbs_up``, ``live_handoff``, ``live_resolution`` (rates, empty when nothing
    was counted)."""
    from assistant.experiments import compute_version_stats

    empty = {
        "sessions": 0,
        "ratings": 0,
        "live_thumbs_up": None,
        "live_handoff": None,
        "live_resolution": None,
    }
    live: dict[str, dict[str, Any]] = {}
    for stats in compute_version_stats(session):
        live[stats.version] = {
            "sessions": stats.sessions,
            "ratings": stats.thumbs_up.n,
            "live_thumbs_up": stats.thumbs_up.rate,
            "live_handoff": stats.handoff.rate,
            "live_resolution": stats.resolution.rate,
        }
    records = []
    rows = select(ModelVersion).where(ModelVersion.kind == "dialogue")
    for v in session.scalars(rows.order_by(ModelVersion.created_at.desc())):
        record: dict[str, Any] = {
            "version": v.id,
            "status": v.status,
            "created": v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "",
        }
        record.update(_flat_metrics(v.metrics or {}))
        for key, value in live.get(v.id, empty).items():
            record[key] = round(value, 4) if isinstance(value, float) else value
        records.append(record)
    return (
        pd.DataFrame(records)
        if records
        else pd.DataFrame({"version": [], "status": [], "created": []})
    )


def _flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, dict) and not prefix:
            out.update(_flat_metrics(value, f"{key}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f"{prefix}{key}"] = round(float(value), 4)
    return out


def summary(session: Session, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """Headline numbers over the window."""
    conv = conversations_over_time(session, days, now)
    thumbs = thumbs_up_rate(session, days, now)
    viol = constraint_violations(session, days, now)
    ratings = int(thumbs["ratings"].sum())
    up = float((thumbs["thumbs_up_rate"].fillna(0) * thumbs["ratings"]).sum())
    return {
        "conversations": int(conv["conversations"].sum()),
        "ratings": ratings,
        "thumbs_up_rate": round(up / ratings, 3) if ratings else None,
        "constraint_violations": int(viol["constraint_violations"].sum()),
    }
