"""The shopper-verification gate one turn goes through (``AISLE_VERIFY``).

``code`` (default): after an email or a name + zip, a one-time code goes to the account's
email and must be typed back before any order or account data. The reply is the same whether
or not an account matched (an unknown account gets a code that is never sent, so a wrong code
for it behaves like any wrong code). Limits: ``verify_code_attempts`` wrong tries per code
(then it is void), ``verify_codes_per_conversation`` codes, and per client address a back-off
over every conversation (``limits``). ``identity``: the email or name + zip alone verifies
(the tau2 policy's flow), under the same per-conversation and per-client limits on failed
look-ups.

The code's record lives in the dialogue state (``DialogueState.verify``): salt, keyed digest,
expiry, tries, the account it is for. The caller owns the transaction.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.settings import Settings
from assistant.store.models import Customer
from assistant.verify import codes, limits
from assistant.verify.senders import CodeSender, NullSender, make_sender

SCOPE = "verify"
RESEND = re.compile(
    r"\b(?:(?:send|get|give)(?: me)? (?:a |another |the )?(?:new|another|fresh|different)? ?code"
    r"|resend|another code|new code|(?:didn'?t|did not|haven'?t|have not|never) (?:get|got|receive|received|see)\b.{0,20}\bcode)",
    re.I,
)


def sent_text(minutes: int) -> str:
    return (
        f"If an account matches those details, a 6-digit code has been sent to its email address: "
        f"check your email and type the code here (it expires in {minutes} minutes)."
    )


AWAIT_TEXT = 'Please type the 6-digit code from your email here, or say "send a new code".'
EXPIRED_TEXT = 'That code has expired. Say "send a new code" for a new one.'
NO_MORE_CODES_TEXT = (
    "I can't send more codes in this conversation. If the email doesn't arrive, say "
    '"talk to a person" and someone from our team will help.'
)
TOO_MANY_TEXT = (
    'That\'s too many tries for this conversation. Say "talk to a person" and someone from '
    "our team will help you."
)


def wrong_text(left: int) -> str:
    if left <= 0:
        return (
            "That code isn't right, and after so many wrong tries it no longer works. "
            'Say "send a new code" for a new one.'
        )
    return f'That code isn\'t right. You can try {left} more time{"s" if left != 1 else ""}, or say "send a new code".'


def locked_text(wait_s: float) -> str:
    minutes = int(wait_s // 60) + 1
    when = "a minute" if minutes <= 1 else f"{minutes} minutes"
    return (
        f"There have been too many verification attempts from your connection. Please try again in "
        f'about {when}, or say "talk to a person".'
    )


@dataclass(frozen=True)
class Checked:
    """What a typed code did: ``customer_id`` when it verified, else the reply to give."""

    customer_id: str | None = None
    text: str = ""


@dataclass
class Verifier:
    """Verification for turns; ``for_turn`` binds the client address (``None``: per-conversation
    limits only, e.g. the Python API and the scripted suites) and whether codes really go out."""

    settings: Settings
    sender: CodeSender | None = None
    client: str | None = None
    _key: list[bytes] = field(default_factory=list, repr=False)  # shared by for_turn copies

    def __post_init__(self) -> None:
        if self.sender is None:
            self.sender = make_sender(self.settings)

    def for_turn(self, client: str | None, *, dry_run: bool = False) -> Verifier:
        sender = NullSender() if dry_run else self.sender
        return dataclasses.replace(
            self, client=(client or None) and str(client)[: limits.KEY_CHARS], sender=sender
        )

    @property
    def code_mode(self) -> bool:
        return self.settings.verify == "code"

    # ------------------------------------------------------------ per client
    def wait_s(self, db: Session) -> float:
        return limits.wait_s(db, SCOPE, self.client) if self.client else 0.0

    def fail(self, db: Session) -> None:
        if self.client:
            limits.fail(db, SCOPE, self.client, limits.Backoff.for_verification(self.settings))

    # ------------------------------------------------------------ per conversation
    def awaiting(self, state) -> bool:
        """A code was asked for in this conversation and not yet typed back (or it went void)."""
        return state.customer_id is None and "for" in (state.verify or {})

    def lookup_failed(self, db: Session, state) -> str | None:
        """Identity mode: count a failed look-up; the refusal text once the conversation has too many."""
        self.fail(db)
        record = state.verify = dict(state.verify or {})
        record["failed"] = record.get("failed", 0) + 1
        return TOO_MANY_TEXT if record["failed"] >= self.settings.verify_code_attempts else None

    def too_many_lookups(self, state) -> bool:
        return (state.verify or {}).get("failed", 0) >= self.settings.verify_code_attempts

    def issue(self, db: Session, state, customer: Customer | None) -> str:
        """A new code for ``customer`` (``None``: no account matched: nothing is sent, but the
        conversation is left exactly as if it had been). Returns the reply text."""
        return self._issue(
            db,
            state,
            customer.id if customer is not None else None,
            customer.email if customer is not None else None,
        )

    def resend(self, db: Session, state) -> str:
        record = state.verify or {}
        customer = db.get(Customer, record["for"]) if record.get("for") else None
        return self._issue(
            db, state, customer.id if customer else None, customer.email if customer else None
        )

    def _issue(self, db: Session, state, customer_id: str | None, email: str | None) -> str:
        wait = self.wait_s(db)
        if wait > 0:
            return locked_text(wait)
        record = dict(state.verify or {})
        issued = record.get("issued", 0)
        if issued >= self.settings.verify_codes_per_conversation:
            return NO_MORE_CODES_TEXT
        self.fail(db)  # every code asked for counts against the client: mail-bombing and guessing
        code, salt = codes.new_code(), secrets.token_hex(8)
        state.verify = {
            **{k: v for k, v in record.items() if k == "failed"},
            "for": customer_id,
            "salt": salt,
            "digest": codes.digest(self.key, salt, code),
            "expires": time.time() + self.settings.verify_code_ttl_s,
            "tries": 0,
            "issued": issued + 1,
        }
        if email:
            self.sender.send(email, code)
        return sent_text(max(1, self.settings.verify_code_ttl_s // 60))

    def check(self, db: Session, state, code: str) -> Checked:
        """A code typed back. The conversation's record is updated (tries, void) in place."""
        wait = self.wait_s(db)
        if wait > 0:
            return Checked(text=locked_text(wait))
        record = dict(state.verify or {})
        if not record.get("digest"):
            return Checked(text=wrong_text(0))
        if time.time() > float(record.get("expires", 0)):
            return Checked(text=EXPIRED_TEXT)
        right = codes.matches(self.key, record["salt"], record["digest"], code)
        if right and record.get("for"):
            state.verify = {"issued": record.get("issued", 0)}
            return Checked(customer_id=record["for"])
        self.fail(db)
        record["tries"] = record.get("tries", 0) + 1
        left = self.settings.verify_code_attempts - record["tries"]
        if left <= 0:
            record.pop("digest", None)  # void: a new code must be asked for
        state.verify = record
        return Checked(text=wrong_text(left))

    @property
    def key(self) -> bytes:
        if not self._key:
            self._key.append(codes.server_key(self.settings))
        return self._key[0]

    @staticmethod
    def wants_new_code(text: str) -> bool:
        return bool(RESEND.search(text or ""))


def redact_for_storage(state_json: dict[str, Any] | None, value: Any) -> Any:
    """While a conversation waits for a code, code-shaped numbers in what the shopper sent (and
    in the slots read from it) are masked before they are stored."""
    record = (state_json or {}).get("verify") or {}
    if "for" in record and not (state_json or {}).get("customer_id"):
        return codes.redact(value)
    return value
