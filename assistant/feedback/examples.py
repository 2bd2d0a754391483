"""Feedback turned into training examples for the dialogue model (``aisle train dialogue --from-feedback``).

Two kinds, both scrubbed of personal data:

- ``corrected``: a shopper utterance whose intent an agent (or the CLI) fixed, with the fixed label;
- ``confirmed``: a shopper utterance whose reply got a thumbs-up and no correction, with the
  label the model gave it (new utterances that join the corpus).

One example per distinct utterance text (case and spacing ignored) and context; a correction
beats a confirmation, and the latest correction wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.feedback.conversations import load_conversations
from assistant.feedback.scrub import Scrubber
from assistant.nlu.labels import INTENTS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingExample:
    """One labelled shopper utterance.

    ``previous_intent`` / ``previous_text`` describe the shopper's previous turn in the same
    conversation (``None`` for the first turn): the context the model reads.
    """

    text: str
    intent: str
    previous_intent: str | None = None
    previous_text: str | None = None
    source: str = "corrected"  # corrected | confirmed

    @property
    def context(self) -> str | None:
        """The previous shopper turn's text, the ``contexts`` entry ``DialogueModel.predict`` takes."""
        return self.previous_text


def training_examples(session: Session, include_confirmed: bool = True) -> list[TrainingExample]:
    """Corrected (and, optionally, thumbs-up confirmed) shopper utterances, scrubbed."""
    scrubber = Scrubber.from_session(session)
    found: dict[tuple[str, str | None], TrainingExample] = {}
    for conv in load_conversations(session):
        turns = conv.turns
        previous = None
        for i, turn in enumerate(turns):
            if turn.role != "user":
                continue
            example = None
            if turn.corrected and turn.intent in INTENTS:
                example = _example(turn.text, turn.intent, previous, scrubber, "corrected")
            elif include_confirmed and turn.intent in INTENTS:
                reply = next((t for t in turns[i + 1 :] if t.role == "assistant"), None)
                if reply is not None and reply.rating == "up" and not reply.edited:
                    example = _example(turn.text, turn.intent, previous, scrubber, "confirmed")
            if example is not None:
                key = (" ".join(example.text.lower().split()), example.previous_text)
                old = found.get(key)
                if old is None or example.source == "corrected" or old.source == "confirmed":
                    found[key] = example
            previous = turn
    examples = list(found.values())
    logger.info(
        "%d training examples from feedback (%d corrected)",
        len(examples),
        sum(e.source == "corrected" for e in examples),
    )
    return examples


def _example(text, intent, previous, scrubber: Scrubber, source: str) -> TrainingExample:
    return TrainingExample(
        text=scrubber(text),
        intent=intent,
        previous_intent=previous.intent if previous is not None else None,
        previous_text=scrubber(previous.text) if previous is not None else None,
        source=source,
    )
