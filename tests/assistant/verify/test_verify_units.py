"""The pieces of shopper verification: code shapes, redaction, digests, back-off, senders."""

from __future__ import annotations

import smtplib

import pytest

from assistant.settings import Settings
from assistant.store.db import session_scope
from assistant.verify import MemorySender, SmtpSender, codes, limits, make_sender
from assistant.verify.senders import ConsoleSender


@pytest.mark.parametrize("text, code", [
    ("123456", "123456"), ("my code is 123 456", "123456"), ("it's 123-456 thanks", "123456"),
    ("code: 000042", "000042"), ("123456.", "123456"),
    ("1234567", None), ("order #W1000002", None), ("zip 78701", None), ("12345", None),
    ("$123,456", None), ("12.345678", None), ("", None), ("no digits at all", None),
])  # fmt: skip
def test_find_code(text, code):
    assert codes.find_code(text) == code


def test_redact_masks_codes_in_text_and_slots_only():
    assert (
        codes.redact("my code is 123 456, order #W1000002")
        == f"my code is {codes.MASK}, order #W1000002"
    )
    assert codes.redact({"price_max": 123456, "q": ["654321"], "ok": 42, "flag": True}) == {
        "price_max": codes.MASK,
        "q": [codes.MASK],
        "ok": 42,
        "flag": True,
    }


def test_new_codes_are_six_digits_and_vary():
    made = {codes.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in made) and len(made) > 150


def test_digest_is_keyed_and_salted():
    d = codes.digest(b"k", "s", "123456")
    assert codes.matches(b"k", "s", d, "123456")
    assert not codes.matches(b"k", "s", d, "123457")
    assert not codes.matches(b"other", "s", d, "123456")
    assert codes.digest(b"k", "t", "123456") != d


def test_server_key_is_made_once_in_home(tmp_path):
    settings = Settings(home=tmp_path)
    key = codes.server_key(settings)
    assert key == codes.server_key(settings) and len(key) == 64
    assert (tmp_path / ".verify_secret").stat().st_mode & 0o777 == 0o600
    assert codes.server_key(Settings(home=tmp_path, verify_secret="set")) == b"set"


def test_backoff_doubles_after_free_failures_and_forgets(engine):
    policy = limits.Backoff(free=3, base_s=10, max_s=45, forget_s=100)
    with session_scope(engine) as db:
        waits = [limits.fail(db, "verify", "1.2.3.4", policy, now=1000.0) for _ in range(6)]
        assert waits == [0, 0, 0, 10, 20, 40]
        assert limits.fail(db, "verify", "1.2.3.4", policy, now=1000.0) == 45  # capped
        assert limits.wait_s(db, "verify", "1.2.3.4", now=1010.0) == 35
        assert limits.wait_s(db, "verify", "5.6.7.8", now=1010.0) == 0  # another client
        assert limits.wait_s(db, "sign_in", "1.2.3.4", now=1010.0) == 0  # another scope
        # quiet for longer than forget_s after the lock ended: the count starts again
        assert limits.fail(db, "verify", "1.2.3.4", policy, now=1200.0) == 0


def test_senders(tmp_path, caplog, monkeypatch):
    memory = MemorySender()
    memory.send("a@example.com", "111111")
    memory.send("b@example.com", "222222")
    assert memory.last_code("A@example.com") == "111111" and memory.last_code() == "222222"

    with caplog.at_level("WARNING", logger="assistant.verify.senders"):
        ConsoleSender().send("a@example.com", "333333")
    assert "333333" in caplog.text and "a@example.com" in caplog.text

    assert isinstance(make_sender(Settings(home=tmp_path)), ConsoleSender)
    smtp_settings = Settings(
        home=tmp_path,
        smtp_host="mail.test",
        smtp_port=2525,
        smtp_user="u",
        smtp_password="p",
        smtp_from="Shop <shop@test>",
    )
    sender = make_sender(smtp_settings)
    assert isinstance(sender, SmtpSender)

    seen = {}

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            seen["server"] = (host, port)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            seen["tls"] = True

        def login(self, user, password):
            seen["login"] = (user, password)

        def send_message(self, mail):
            seen["mail"] = mail

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    sender._deliver("a@example.com", "444444")
    assert seen["server"] == ("mail.test", 2525) and seen["tls"] and seen["login"] == ("u", "p")
    assert seen["mail"]["To"] == "a@example.com" and "444444" in seen["mail"].get_content()

    def refuse(*a, **k):
        raise smtplib.SMTPConnectError(421, "down")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    sender._deliver("a@example.com", "555555")  # logged, never raised into a turn
