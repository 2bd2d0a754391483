"""What the understanding step returns for one utterance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

UnderstoodBy = Literal["encoder", "generative", "fallback"]
UNDERSTOOD_BY: tuple[str, ...] = ("encoder", "generative", "fallback")


@dataclass(frozen=True)
class Understanding:
    """Intent, calibrated confidence and slots of one shopper turn.

    ``slots`` keys come from ``labels.SLOT_NAMES``; ``price_min``/``price_max``
    are floats, ``quantity`` an int, ``item_ref`` an ordinal (1-based, -1 = last)
    or a descriptive reference string, everything else a string (``option`` may
    be a dict of option name -> value).

    ``understood_by`` names which model produced this frame: ``"encoder"`` (the default
    fine-tuned encoder, or the rules in front of it), ``"generative"`` (a causal LM, constrained
    to this schema) or ``"fallback"`` (the generative backend failed; the encoder answered).
    """

    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    out_of_scope_score: float = 0.0
    model_version: str | None = None
    understood_by: UnderstoodBy = "encoder"
