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
