"""Generated text through the scrubber (``benchmarks/load_fault.py`` fuzz strategies, a small
budget): text always comes back and every planted email address is gone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings

from assistant.feedback.scrub import Scrubber

_SPEC = importlib.util.spec_from_file_location(
    "load_fault", Path(__file__).parents[2] / "benchmarks" / "load_fault.py"
)
load_fault = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(load_fault)
STRATEGIES = load_fault.fuzz_strategies()
SCRUB = Scrubber.from_names(["noah", "brown", "mei", "li"])


@settings(max_examples=60, deadline=None, database=None)
@given(STRATEGIES["scrub_text"])
def test_generated_text(text):
    load_fault.scrub_property(SCRUB, text)


def test_a_planted_email_in_hostile_text_is_removed():
    text = "<script>x</script> '; DROP TABLE messages; -- write to mei.li@example.com \ud800 " + "9" * 5000
    out = SCRUB(text)
    assert "mei.li@example.com" not in out and load_fault.scrub_property(SCRUB, text)["emails_planted_and_removed"] == 1


@pytest.mark.parametrize("text", ["'a@a.com", "reply to 'mei.li@example.com' please", "o'brien@example.com",
                                  "mail: d’angelo.rossi@example.org", "’noah at gmail", "t@at.com",
                                  "write to x@dot.org"])  # fmt: skip
def test_an_email_after_a_quote_or_with_an_apostrophe_is_removed(text):
    # an email right after an opening quote, with an apostrophe in its local part, or with a
    # domain part "at" or "dot" (the spelled-out separators) was kept whole (found by the
    # fuzzer: "'a@a.com", "t@at.com")
    out = SCRUB(text)
    assert "[EMAIL]" in out and "@" not in out and "gmail" not in out


@pytest.mark.parametrize("text", ["don't", "it's the shop's", "the 'best' offer at 5 o'clock"])
def test_apostrophes_alone_are_not_emails(text):
    assert SCRUB(text) == text
