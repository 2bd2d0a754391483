"""Shopper verification: one-time codes, their senders, and per-client back-off.

``Verifier`` is the gate the service flow calls; ``senders`` deliver codes (console, SMTP,
memory); ``codes`` makes, hashes and finds them; ``limits`` keeps failures per client.
"""

from assistant.verify.codes import find_code, redact
from assistant.verify.senders import (
    CodeSender,
    ConsoleSender,
    MemorySender,
    NullSender,
    SmtpSender,
    make_sender,
)
from assistant.verify.verifier import Checked, Verifier, redact_for_storage

__all__ = [
    "Checked",
    "CodeSender",
    "ConsoleSender",
    "MemorySender",
    "NullSender",
    "SmtpSender",
    "Verifier",
    "find_code",
    "make_sender",
    "redact",
    "redact_for_storage",
]
