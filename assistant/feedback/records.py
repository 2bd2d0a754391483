"""Writing feedback: the record the CLI, the shopper's thumbs and the agent's edits share."""

from __future__ import annotations

import logging
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import UserError
from assistant.nlu.labels import INTENTS
from assistant.store.models import Feedback, Message

logger = logging.getLogger(__name__)

RATINGS = ("up", "down")
AUTHORS = ("cli", "shopper", "agent")
REPLY_ROLES = ("assistant", "agent")

Author = Literal["cli", "shopper", "agent"]
MAX_REASON_CHARS = 1_000  # a reason is a few words; 100k characters had frozen the server
MAX_CORRECTION_CHARS = 4_000  # a corrected reply: as long as a reply may be


def add_feedback(
    session: Session,
    message_id: int,
    rating: str | None = None,
    reason: str | None = None,
    correction: str | None = None,
    author: Author = "cli",
    corrected_intent: str | None = None,
) -> Feedback:
    """Record feedback on one reply and return the new ``Feedback`` row (flushed, not committed).

    Args:
        message_id: id of an assistant (or agent) message, as ``aisle chat --json`` prints it.
        rating: ``up`` / ``down`` / ``None``.
        reason: free text ("wrong size", "rude").
        correction: either one of the exact intent labels (the shopper's turn was
            misunderstood: stored as ``corrected_intent``) or the reply that should have been sent.
        author: ``cli`` / ``shopper`` / ``agent``.
        corrected_intent: an explicit intent label for the shopper turn this reply answered.

    Raises:
        UserError: unknown message, a message that is not a reply, a bad rating, author or
            intent label, a reason or correction over its length limit, or no feedback at all.
    """
    message = session.get(Message, message_id)
    if message is None:
        raise UserError(
            f"message {message_id} does not exist; use a message_id printed by `aisle chat --json`"
        )
    if message.role not in REPLY_ROLES:
        raise UserError(
            f"message {message_id} is a {message.role} message; feedback goes on an assistant reply"
        )
    if rating is not None:
        rating = rating.strip().lower()
        if rating not in RATINGS:
            raise UserError(f"rating {rating!r} is not valid; use up or down")
    if author not in AUTHORS:
        raise UserError(f"author {author!r} is not valid; use one of {', '.join(AUTHORS)}")
    correction = (correction or "").strip() or None
    if corrected_intent is not None:
        corrected_intent = corrected_intent.strip()
        if corrected_intent not in INTENTS:
            raise UserError(
                f"intent {corrected_intent!r} is not an intent label; see assistant/nlu/labels.py"
            )
    if correction is not None and correction in INTENTS:
        if corrected_intent is not None and corrected_intent != correction:
            raise UserError(
                f"correction {correction!r} and corrected intent {corrected_intent!r} disagree"
            )
        corrected_intent, correction = correction, None
    reason = (reason or "").strip() or None
    for label, value, limit in (("reason", reason, MAX_REASON_CHARS), ("correction", correction, MAX_CORRECTION_CHARS)):
        if value is not None and len(value) > limit:
            raise UserError(f"the {label} is {len(value):,} characters; at most {limit:,} are kept")
    if rating is None and correction is None and corrected_intent is None and reason is None:
        raise UserError("no feedback given; pass --rating up|down, --reason or --correction")

    row = Feedback(
        message_id=message_id,
        rating=rating,
        reason=reason,
        correction=correction,
        corrected_intent=corrected_intent,
        author=author,
    )
    session.add(row)
    session.flush()
    logger.info("feedback %s on message %s (%s)", row.id, message_id, author)
    return row


def feedback_for(session: Session, message_ids: list[int]) -> dict[int, list[Feedback]]:
    """Feedback rows grouped by message id, oldest first."""
    out: dict[int, list[Feedback]] = {}
    if not message_ids:
        return out
    rows = session.scalars(
        select(Feedback).where(Feedback.message_id.in_(message_ids)).order_by(Feedback.id)
    )
    for row in rows:
        out.setdefault(row.message_id, []).append(row)
    return out
