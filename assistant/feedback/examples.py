"""Feedback turned into training examples for the dialogue model (``aisle train dialogue --from-feedback``).

Two kinds, both scrubbed of personal data:

- ``corrected``: a shopper utterance whose intent an agent (or the CLI) fixed, with the fixed label;
- ``confirmed``: a shopper utterance whose reply got a thumbs-up and no correction, with the
  label the model gave it (new utterances that join the corpus).

One example per distinct utterance text (case and spacing ignored) and context; a correction
beats a confirmation, and the latest correction wins.

Each example is a plain dict (a ``TrainingExample`` TypedDict) because that is the exchange
format ``assistant.nlu.training.train_dialogue(extra_examples=...)`` reads: ``text``,
``intent``, ``context`` (the assistant reply the shopper was answering, the model's second
input segment), plus ``previous_intent``, ``previous_text`` and ``source``.
"""

from __future__ import annotations

import logging
from typing import TypedDict

from sqlalchemy.orm import Session

from assistant.feedback.conversations import load_conversations
from assistant.feedback.scrub import Scrubber
from assistant.nlu.labels import INTENTS

logger = logging.getLogger(__name__)


class TrainingExample(TypedDict):
    text: str
    intent: str
    context: str | None  # the assistant reply just before the utterance (scrubbed)
    previous_intent: str | None  # label of the shopper's previous turn
    previous_text: str | None  # the shopper's previous turn (scrubbed)
    source: str  # corrected | confirmed


CORRECTION_REPEATS = 8
"""How many times each corrected utterance is listed: a handful of corrections among thousands
of corpus examples is otherwise seen about once per epoch and barely moves the model."""


def training_examples(
    session: Session, include_confirmed: bool = True, corrected_repeats: int = CORRECTION_REPEATS
) -> list[TrainingExample]:
    """Corrected (and, optionally, thumbs-up confirmed) shopper utterances, scrubbed.

    Each corrected example appears ``corrected_repeats`` times (oversampling), confirmed ones once.
    """
    scrubber = Scrubber.from_session(session)
    found: dict[tuple[str, str | None], TrainingExample] = {}
    for conv in load_conversations(session):
        turns = conv.turns
        previous = None
        for i, turn in enumerate(turns):
            if turn.role != "user":
                continue
            bot = turns[i - 1] if i > 0 and turns[i - 1].role == "assistant" else None
            example = None
            if turn.corrected and turn.intent in INTENTS:
                example = _example(turn, previous, bot, scrubber, "corrected")
            elif include_confirmed and turn.intent in INTENTS:
                reply = next((t for t in turns[i + 1 :] if t.role == "assistant"), None)
                if reply is not None and reply.rating == "up" and not reply.edited:
                    example = _example(turn, previous, bot, scrubber, "confirmed")
            if example is not None:
                key = (" ".join(example["text"].lower().split()), example["context"])
                old = found.get(key)
                if old is None or example["source"] == "corrected" or old["source"] == "confirmed":
                    found[key] = example
            previous = turn
    examples = [
        e
        for e in found.values()
        for _ in range(max(1, corrected_repeats) if e["source"] == "corrected" else 1)
    ]
    logger.info(
        "%d training examples from feedback (%d corrected)",
        len(examples),
        sum(e["source"] == "corrected" for e in examples),
    )
    return examples


def feedback_training_examples(
    include_confirmed: bool = True, corrected_repeats: int = CORRECTION_REPEATS
) -> list[TrainingExample]:
    """``training_examples`` on the configured database, in its own read-only transaction
    (what ``aisle train dialogue --from-feedback`` passes as ``extra_examples``)."""
    from assistant.store.db import session_scope

    with session_scope() as session:
        return training_examples(
            session, include_confirmed=include_confirmed, corrected_repeats=corrected_repeats
        )


def _example(turn, previous, bot, scrubber: Scrubber, source: str) -> TrainingExample:
    return TrainingExample(
        text=scrubber(turn.text),
        intent=turn.intent,
        context=scrubber(bot.text) if bot is not None else None,
        previous_intent=previous.intent if previous is not None else None,
        previous_text=scrubber(previous.text) if previous is not None else None,
        source=source,
    )
