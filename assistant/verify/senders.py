"""Code senders: how a one-time verification code reaches the shopper.

``CodeSender.send(customer_email, code)`` is the whole protocol. ``ConsoleSender`` (the demo
default) writes the code to the app log, where the operator reads it; ``SmtpSender`` mails
it (``AISLE_SMTP_*``), off the turn's thread so a slow mail server neither holds the
conversation's transaction nor shows, by its delay, that an account exists;
``MemorySender`` keeps codes for tests; ``NullSender`` sends nothing (drafted replies).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from typing import Protocol

from assistant.settings import Settings

logger = logging.getLogger(__name__)

SUBJECT = "Your verification code"


class CodeSender(Protocol):
    def send(self, customer_email: str, code: str) -> None: ...


class ConsoleSender:
    """Logs the code (WARNING, so a default log set-up shows it): for a local demo only."""

    def send(self, customer_email: str, code: str) -> None:
        logger.warning(
            "verification code for %s: %s (console sender; set AISLE_SMTP_HOST to email it)",
            customer_email,
            code,
        )


class MemorySender:
    """Keeps every ``(email, code)`` sent, newest last (tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, customer_email: str, code: str) -> None:
        self.sent.append((customer_email, code))

    def last_code(self, customer_email: str | None = None) -> str | None:
        codes = [
            c for e, c in self.sent if customer_email is None or e.lower() == customer_email.lower()
        ]
        return codes[-1] if codes else None


class NullSender:
    def send(self, customer_email: str, code: str) -> None:
        return None


class SmtpSender:
    """Mails the code through ``smtp_host`` (STARTTLS and sign-in when configured), in a thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, customer_email: str, code: str) -> None:
        thread = threading.Thread(
            target=self._deliver, args=(customer_email, code), name="aisle-code-mail", daemon=True
        )
        thread.start()

    def message(self, customer_email: str, code: str) -> EmailMessage:
        minutes = max(1, self.settings.verify_code_ttl_s // 60)
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.settings.smtp_from, customer_email, SUBJECT
        mail.set_content(
            f"Your code is {code}. Type it in the chat to continue; it expires in {minutes} minutes.\n"
            "If you didn't ask for it, ignore this email: nothing happens without the code."
        )
        return mail

    def _deliver(self, customer_email: str, code: str) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(
                        s.smtp_user, s.smtp_password.get_secret_value() if s.smtp_password else ""
                    )
                smtp.send_message(self.message(customer_email, code))
        except (OSError, smtplib.SMTPException):
            logger.exception(
                "could not mail a verification code through %s:%s", s.smtp_host, s.smtp_port
            )


def make_sender(settings: Settings) -> CodeSender:
    """SMTP when ``AISLE_SMTP_HOST`` is set, else the console sender."""
    return SmtpSender(settings) if settings.smtp_host else ConsoleSender()
