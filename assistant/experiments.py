"""A/B assignment of dialogue model versions and per-version outcome statistics.

``assign_model_version`` gives each new session a version: a share ``settings.ab_share`` of
sessions (chosen deterministically by hashing the session id) goes to the newest candidate,
the rest to the live version. ``version_stats`` summarises how each version did, with
Wilson 95% intervals, so a person can decide whether to promote (the dashboard draws it).

Definitions (per version, over the sessions it served):

- thumbs-up rate: ``up / (up + down)`` over rated replies;
- handoff rate: sessions handed to a human / sessions;
- resolution rate: sessions not handed off that ended well (a thumbs-up, a cart or purchase
  event, or the shopper's last turn was ``thanks``/``goodbye``/``affirm``) / sessions.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.settings import Settings, get_settings
from assistant.store.models import ChatSession, Feedback, InteractionEvent, Message, ModelVersion

RESOLVED_INTENTS = ("thanks", "goodbye", "affirm")
RESOLVED_EVENTS = ("add_to_cart", "purchase")
Z95 = 1.959963984540054


def ab_bucket(session_id: str) -> float:
    """A number in [0, 1) fixed by the session id (SHA-256, first 8 bytes)."""
    digest = hashlib.sha256(session_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _versions(session: Session, status: str) -> list[ModelVersion]:
    return list(
        session.scalars(
            select(ModelVersion)
            .where(ModelVersion.status == status, ModelVersion.kind == "dialogue")
            .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
        )
    )


def assign_model_version(
    session: Session, session_id: str, settings: Settings | None = None
) -> str | None:
    """The model version that serves ``session_id``; sticky once stored on the session.

    Returns ``None`` when no live version exists yet. Sessions whose bucket is below
    ``ab_share`` go to the newest candidate created after the live version (when there is one).
    """
    settings = settings or get_settings()
    chat = session.get(ChatSession, session_id)
    if chat is not None and chat.model_version:
        return chat.model_version
    live = _versions(session, "live")
    if not live:
        return None
    version = live[0].id
    if settings.ab_share > 0:
        newer = [
            c
            for c in _versions(session, "candidate")
            if live[0].created_at is None
            or c.created_at is None
            or c.created_at >= live[0].created_at
        ]
        if newer and ab_bucket(session_id) < settings.ab_share:
            version = newer[0].id
    if chat is not None:
        chat.model_version = version
        session.flush()
    return version


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; ``(0, 1)`` when ``n == 0``."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    successes: int
    n: int
    rate: float | None
    low: float
    high: float

    @classmethod
    def of(cls, successes: int, n: int) -> Rate:
        low, high = wilson_interval(successes, n)
        return cls(successes, n, successes / n if n else None, low, high)


@dataclass(frozen=True)
class VersionStats:
    version: str
    status: str | None
    sessions: int
    thumbs_up: Rate
    handoff: Rate
    resolution: Rate

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_flat(self) -> dict[str, Any]:
        """One flat row: ``thumbs_up_rate``, ``thumbs_up_low``, ``thumbs_up_high``, ``ratings``,
        ``handoff_*``, ``resolution_*`` (rates are ``None`` when nothing was counted)."""
        row: dict[str, Any] = {
            "version": self.version,
            "status": self.status,
            "sessions": self.sessions,
            "ratings": self.thumbs_up.n,
        }
        for name in ("thumbs_up", "handoff", "resolution"):
            rate: Rate = getattr(self, name)
            row[f"{name}_rate"] = rate.rate
            row[f"{name}_low"] = rate.low
            row[f"{name}_high"] = rate.high
        return row


def version_stats(session: Session) -> list[dict[str, Any]]:
    """Per-version outcome rates with Wilson 95% intervals, as flat rows (see ``VersionStats.to_flat``).

    The dashboard draws these; ``compute_version_stats`` gives the typed objects.
    """
    return [s.to_flat() for s in compute_version_stats(session)]


def compute_version_stats(session: Session) -> list[VersionStats]:
    """Per model version (sessions without one are grouped under ``"unassigned"``)."""
    status = dict(session.execute(select(ModelVersion.id, ModelVersion.status)).all())
    chats = session.execute(select(ChatSession.id, ChatSession.model_version, ChatSession.handoff))
    per_session: dict[str, dict[str, Any]] = {
        sid: {"version": version or "unassigned", "handoff": bool(handoff), "up": 0, "down": 0}
        for sid, version, handoff in chats
    }
    ratings = session.execute(
        select(Message.session_id, Feedback.message_id, Feedback.rating)
        .join(Message, Message.id == Feedback.message_id)
        .where(Feedback.rating.is_not(None))
        .order_by(Feedback.id)
    )
    latest: dict[int, tuple[str, str]] = {}
    for sid, mid, rating in ratings:
        latest[mid] = (sid, rating)  # a later rating of the same reply replaces the earlier
    for sid, rating in latest.values():
        if sid in per_session:
            per_session[sid][rating] += 1
    events = session.execute(
        select(InteractionEvent.session_id, func.count())
        .where(InteractionEvent.kind.in_(RESOLVED_EVENTS))
        .group_by(InteractionEvent.session_id)
    )
    converted = {sid for sid, n in events if sid is not None and n > 0}
    last_user = _last_user_intents(session)

    groups: dict[str, list[dict[str, Any]]] = {}
    for sid, row in per_session.items():
        row["resolved"] = not row["handoff"] and (
            row["up"] > 0 or sid in converted or last_user.get(sid) in RESOLVED_INTENTS
        )
        groups.setdefault(row["version"], []).append(row)
    out = []
    for version, rows in sorted(groups.items()):
        ups, downs = sum(r["up"] for r in rows), sum(r["down"] for r in rows)
        out.append(
            VersionStats(
                version=version,
                status=status.get(version),
                sessions=len(rows),
                thumbs_up=Rate.of(ups, ups + downs),
                handoff=Rate.of(sum(r["handoff"] for r in rows), len(rows)),
                resolution=Rate.of(sum(r["resolved"] for r in rows), len(rows)),
            )
        )
    return out


def _last_user_intents(session: Session) -> dict[str, str | None]:
    last_ids = (
        select(Message.session_id, func.max(Message.id).label("mid"))
        .where(Message.role == "user")
        .group_by(Message.session_id)
        .subquery()
    )
    rows = session.execute(
        select(Message.session_id, Message.intent).join(last_ids, Message.id == last_ids.c.mid)
    )
    return dict(rows.all())
