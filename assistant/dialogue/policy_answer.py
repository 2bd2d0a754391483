"""What a policy question asks for, and which policy sentences can answer it.

A question of timing ("how long do refunds take", "how fast do i get my money back") is
answered by a sentence that says when (``5 to 7 business days``, ``immediately``), a question
of cost by one that names a fee or an amount; a sentence that is only about the same topic
("The refund must go to the original payment method") does not answer it. ``answer_kind``
reads the question, ``carries`` tells whether a sentence holds that kind of answer.
"""

from __future__ import annotations

import re

_ASKS = {
    "timing": re.compile(
        r"\b(how (long|fast|quick|quickly|soon)|how many (business |working )?(days|weeks|hours)|when (will|do|does|would|should|is|are)|"
        r"till|until|before (i|we) (get|see|receive)|take to|(does|do|will) (it|they|that|refunds?) take|"
        r"how long'?s|what'?s the (wait|timeframe|time frame|turnaround)|timeframe|time frame|turnaround|"
        r"(right|straight) away|instantly|immediately)\b", re.I),
    "cost": re.compile(
        r"\b(fee|fees|how much (does|do|will|is|would)|cost|costs|charge|charged|charges|penalty|free of charge|pay (for|to))\b", re.I),
}
_CARRIES = {
    "timing": re.compile(
        r"\b(immediately|at once|right away|instantly|within|business days?|working days?|\d+\s*(?:to|-|–)\s*\d+\s*(?:business |working )?"
        r"(?:days?|hours?|weeks?)|\d+\s*(?:days?|hours?|weeks?))\b", re.I),
    "cost": re.compile(r"\b(fee|fees|free|charge|charged|cost|costs|penalty)\b|\$\s?\d", re.I),
}
BONUS = 0.15  # added to a sentence's cosine when it holds the kind of answer the question asks for


def answer_kind(question: str, previous_answer: str | None = None) -> str | None:
    """``"timing"`` / ``"cost"`` when the question asks for that, else ``None``. A follow-up
    ("what if i paid with a gift card") asks what the previous answer told: its kind."""
    for kind, asks in _ASKS.items():
        if asks.search(question or ""):
            return kind
    if previous_answer:
        for kind, holds in _CARRIES.items():
            if holds.search(previous_answer):
                return kind
    return None


def carries(kind: str | None, sentence: str) -> bool:
    """The sentence holds an answer of ``kind`` (a time, an amount or fee)."""
    return bool(kind and _CARRIES[kind].search(sentence or ""))
