"""Export feedback as JSON lines that TRL and Hugging Face ``datasets`` read directly.

- ``sft``: ``{"messages": [{"role", "content"}, ...]}`` per conversation; each assistant turn
  is the final sent text (an agent's edit replaces the draft, a reply correction replaces the
  reply). A conversation is cut before its first disliked reply that nobody corrected.
- ``dpo``: ``{"prompt": [...], "chosen": [...], "rejected": [...]}`` (TRL's conversational
  preference format) from draft vs agent edit, reply vs its correction, disliked vs liked
  reply to the same context, and a rejected ("not for me") vs accepted (cart, purchase)
  product in one session.
- ``intents``: ``{"text", "intent", "previous_intent"}`` for utterances whose label was fixed.

Every string passes through the ``Scrubber`` before it is written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import UserError
from assistant.feedback.conversations import Conversation, Turn, as_chat, load_conversations
from assistant.feedback.scrub import Scrubber, scrub_messages
from assistant.store.models import InteractionEvent, Product

logger = logging.getLogger(__name__)

FORMATS = ("sft", "dpo", "intents")
ACCEPT_KINDS = ("add_to_cart", "purchase")
REJECT_KINDS = ("not_for_me",)


@dataclass(frozen=True)
class ExportReport:
    records: int
    path: str

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "path": self.path}


def export_feedback(session: Session, fmt: str, out: Path | str) -> ExportReport:
    """Write the ``fmt`` export to ``out`` (JSON lines, personal data scrubbed)."""
    if fmt not in FORMATS:
        raise UserError(f"format {fmt!r} is not known; use one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file path such as {out / (fmt + '.jsonl')}")
    records = list(build_records(session, fmt))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    logger.info("exported %d %s records to %s", len(records), fmt, out)
    return ExportReport(len(records), str(out))


def build_records(session: Session, fmt: str) -> list[dict[str, Any]]:
    """The scrubbed records of one format."""
    scrubber = Scrubber.from_session(session)
    conversations = load_conversations(session)
    if fmt == "sft":
        return sft_records(conversations, scrubber)
    if fmt == "dpo":
        return dpo_records(conversations, scrubber, _product_pairs(session, conversations))
    if fmt == "intents":
        return intent_records(conversations, scrubber)
    raise UserError(f"format {fmt!r} is not known; use one of {', '.join(FORMATS)}")


def sft_records(conversations: Iterable[Conversation], scrubber: Scrubber) -> list[dict]:
    out = []
    for conv in conversations:
        turns: list[Turn] = []
        for turn in conv.turns:
            if turn.role == "assistant" and turn.rating == "down" and not turn.edited:
                break
            turns.append(turn)
        while turns and turns[-1].role != "assistant":
            turns.pop()
        if any(t.role == "user" for t in turns):
            out.append({"messages": scrub_messages(as_chat(turns), scrubber)})
    return out


def _prompt_key(prompt: list[dict[str, str]]) -> str:
    return json.dumps([(m["role"], " ".join(m["content"].lower().split())) for m in prompt])


def _pair(prompt, chosen: str, rejected: str, scrubber: Scrubber, source: str) -> dict:
    return {
        "prompt": scrub_messages(prompt, scrubber),
        "chosen": [{"role": "assistant", "content": scrubber(chosen)}],
        "rejected": [{"role": "assistant", "content": scrubber(rejected)}],
        "source": source,
    }


def dpo_records(
    conversations: list[Conversation],
    scrubber: Scrubber,
    product_pairs: dict[str, list[tuple[int, str, str]]] | None = None,
) -> list[dict]:
    out = []
    liked: dict[str, list[tuple[list, str]]] = {}
    disliked: dict[str, list[tuple[list, str]]] = {}
    for conv in conversations:
        for i, turn in enumerate(conv.turns):
            if turn.role != "assistant":
                continue
            prompt = as_chat(conv.turns[:i])
            if not prompt or prompt[-1]["role"] != "user":
                continue
            if turn.edited:
                source = "agent_edit" if turn.rating != "down" else "correction"
                out.append(_pair(prompt, turn.text, turn.original or "", scrubber, source))
            elif turn.rating in ("up", "down"):
                bucket = liked if turn.rating == "up" else disliked
                bucket.setdefault(_prompt_key(prompt), []).append((prompt, turn.text))
        for at_turn, chosen, rejected in (product_pairs or {}).get(conv.session_id, []):
            idx = next((j for j, t in enumerate(conv.turns) if t.message_id == at_turn), None)
            prompt = as_chat(conv.turns[:idx]) if idx is not None else as_chat(conv.turns)
            while prompt and prompt[-1]["role"] != "user":
                prompt.pop()
            if prompt:
                out.append(_pair(prompt, chosen, rejected, scrubber, "product"))
    for key, bad in disliked.items():
        for prompt, rejected in bad:
            for _, chosen in liked.get(key, []):
                if chosen.strip() != rejected.strip():
                    out.append(_pair(prompt, chosen, rejected, scrubber, "rating"))
    return out


def intent_records(conversations: Iterable[Conversation], scrubber: Scrubber) -> list[dict]:
    out = []
    for conv in conversations:
        previous: str | None = None
        for turn in conv.turns:
            if turn.role != "user":
                continue
            if turn.corrected and turn.intent:
                out.append(
                    {
                        "text": scrubber(turn.text),
                        "intent": turn.intent,
                        "previous_intent": previous,
                    }
                )
            previous = turn.intent
    return out


def _describe(product: Product | None, product_id: str) -> str:
    if product is None:
        return f"I recommend product {product_id}."
    brand = f" by {product.brand}" if product.brand else ""
    return f"I recommend the {product.title}{brand} at {product.price:.2f} {product.currency}."


def _product_pairs(
    session: Session, conversations: list[Conversation]
) -> dict[str, list[tuple[int, str, str]]]:
    """Per session: (message id that showed the accepted product, chosen text, rejected text)."""
    events = session.scalars(
        select(InteractionEvent)
        .where(InteractionEvent.kind.in_(ACCEPT_KINDS + REJECT_KINDS))
        .where(InteractionEvent.session_id.is_not(None))
        .order_by(InteractionEvent.id)
    ).all()
    by_session: dict[str, tuple[list[str], list[str]]] = {}
    for ev in events:
        accepted, rejected = by_session.setdefault(ev.session_id, ([], []))
        target = accepted if ev.kind in ACCEPT_KINDS else rejected
        if ev.product_id not in target:
            target.append(ev.product_id)
    ids = {pid for acc, rej in by_session.values() for pid in acc + rej}
    products = (
        {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
        if ids
        else {}
    )
    turns_by_session = {c.session_id: c.turns for c in conversations}
    out: dict[str, list[tuple[int, str, str]]] = {}
    for sid, (accepted, rejected) in by_session.items():
        for good in accepted:
            shown = next(
                (
                    t.message_id
                    for t in turns_by_session.get(sid, ())
                    if any(str(p.get("id")) == good for p in t.products)
                ),
                -1,
            )
            for bad in rejected:
                if bad != good:
                    out.setdefault(sid, []).append(
                        (
                            shown,
                            _describe(products.get(good), good),
                            _describe(products.get(bad), bad),
                        )
                    )
    return out
