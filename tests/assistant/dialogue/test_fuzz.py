"""Generated messages through ``Assistant.turn`` (``benchmarks/load_fault.py`` fuzz strategies,
a small budget): unicode, huge words, markup, injection strings, forged order and session ids
are answered (or refused with a one-line error), never a crash. The benchmark runs the same
property with a larger budget and counts the turns slower than 1 s."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import HealthCheck, given, settings

_SPEC = importlib.util.spec_from_file_location(
    "load_fault", Path(__file__).parents[3] / "benchmarks" / "load_fault.py"
)
load_fault = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(load_fault)
STRATEGIES = load_fault.fuzz_strategies()


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(STRATEGIES["message"], STRATEGIES["session"])
def test_generated_messages(assistant, message, session):
    load_fault.turn_property(assistant, message, session)


def test_lone_surrogates_and_nul_are_answered_and_stored(assistant):
    # JSON's "\ud800" escape reaches /chat as a lone surrogate, which UTF-8 cannot encode
    outcome = load_fault.turn_property(assistant, "show me boots \ud800 under $50 \x00 #W0000000", None)
    assert "refused" not in outcome


def test_a_lone_surrogate_is_read_as_a_replacement_character(assistant):
    from assistant.dialogue.safety import clean_message

    assert clean_message("boots \ud800 size 9", 4000).text == "boots \ufffd size 9"


def test_a_session_id_with_control_or_surrogate_characters_is_refused(assistant):
    import pytest

    from assistant.errors import UserError

    for sid in ("abc\ud800", "abc\x00", "a\u202eb"):
        with pytest.raises(UserError, match="session id must be printable"):
            assistant.turn("hello", sid)


def test_an_email_slot_cut_short_is_read_from_the_message():
    # the model's span read 'isabella.johansson9391@example.c': the look-up failed and the
    # load benchmark's shopper could never verify (benchmarks/load_fault.py faults)
    from assistant.dialogue.extract import email

    text = "my email is isabella.johansson9391@example.com"
    assert email(text, {"email": "isabella.johansson9391@example.c"}) == "isabella.johansson9391@example.com"
    assert email(text, {}) == "isabella.johansson9391@example.com"
    assert email("noah dot brown at example dot com", {"email": "noah.brown@example.com"}) == "noah.brown@example.com"
    assert email("mine is a@b.com, not c@d.com", {"email": "a@b.com"}) == "a@b.com"


def test_a_long_email_address_is_read_whole():
    from assistant.dialogue.safety import MAX_WORD, clean_message

    address = "isabella.johansson9391@example.com"
    assert len(address) > MAX_WORD
    assert clean_message(f"my email is {address}.", 4000).read == f"my email is {address}."
    assert clean_message("x" * 40 + "@", 4000).read == "x" * MAX_WORD  # not an address: cut
    assert clean_message("a@" * 5000, 20_000).read == ("a@" * 5000)[:MAX_WORD]


def test_a_shopper_with_a_long_email_verifies(assistant, db):
    import uuid

    from sqlalchemy import func, select

    from assistant.store.models import Customer

    customer = db.scalars(select(Customer).where(func.length(Customer.email) > 33)).first()
    s = uuid.uuid4().hex
    assistant.turn("where is my order?", s)
    reply = assistant.turn(f"my email is {customer.email}", s).reply
    assert f"Thanks, {customer.first_name}, you're verified." in reply
