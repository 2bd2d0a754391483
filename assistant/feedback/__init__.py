"""Feedback: record it, scrub it, export it, turn it into training examples.

- ``records``: ``add_feedback`` (the CLI, the thumbs and the agent's edits write the same row)
- ``scrub``: ``Scrubber`` replaces personal data by typed placeholders
- ``conversations``: conversations with each reply's final text and verdict
- ``export``: ``export_feedback(session, "sft"|"dpo"|"intents", path)``
- ``examples``: ``training_examples(session)`` for ``aisle train dialogue --from-feedback``
"""

from assistant.feedback.examples import (
    TrainingExample,
    feedback_training_examples,
    training_examples,
)
from assistant.feedback.export import FORMATS, ExportReport, build_records, export_feedback
from assistant.feedback.records import add_feedback
from assistant.feedback.scrub import Scrubber

__all__ = [
    "FORMATS",
    "ExportReport",
    "Scrubber",
    "TrainingExample",
    "add_feedback",
    "build_records",
    "export_feedback",
    "feedback_training_examples",
    "training_examples",
]
