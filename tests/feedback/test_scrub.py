"""Personal data does not survive the scrubber, however it is written."""

from __future__ import annotations

import re

import pytest

from assistant.feedback.scrub import Scrubber, luhn_ok

NAMES = frozenset({"noah", "brown", "yusuf", "rossi", "mason", "mei", "li"})

MESSY = """Hi, this is NOAH BROWN (noah-brown on the forum); Brown, Noah on my card.
Write to Noah.Brown7922@Example.COM or noah.brown7922 @ example.com, or yusuf.rossi7301(at)example.com.
Spelled out: noah dot brown7922 at example dot com.
Call (303) 555-0199, 303-555-0198, 303.555.0197, +1 303 555 0196, 3035550195 or +44 20 7946 0958.
Cards: 4111 1111 1111 1111, 5500-0055-5555-5559, 378282246310005 and 6011.1111.1111.1117.
Ship to 986 Sunset Drive, Suite 259, Denver, CO 80279, or 12 main st. apt 4b, or
1600 PENNSYLVANIA AVENUE NW; my zip code is 80230. Order #W7678072 and #w1234567.
Thanks, yusuf rossi. Ask Mr. Mason or Mei Li."""

SECRETS_TEXT = [
    "noah", "yusuf", "rossi", "mason", "mei", "example.com", "example dot com", "7922",
    "7301", "sunset", "pennsylvania", "main st", "suite 259", "apt 4b", "80279", "80230",
    "7678072", "1234567",
]  # fmt: skip
SECRET_DIGITS = [
    "5550199", "5550198", "5550197", "5550196", "5550195", "79460958",
    "4111111111111111", "5500005555555559", "378282246310005", "6011111111111117",
]  # fmt: skip


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_no_personal_data_survives():
    out = Scrubber(names=NAMES)(MESSY)
    low = out.lower()
    for secret in SECRETS_TEXT:
        assert secret not in low, (secret, out)
    assert re.search(r"\bbrown\b", low) is None, out
    assert re.search(r"\bli\b", low) is None, out
    for digits in SECRET_DIGITS:
        assert digits not in _digits(out), (digits, out)
    for placeholder in ("[EMAIL]", "[PHONE]", "[CARD]", "[ADDRESS]", "[ZIP]", "[ORDER]", "[NAME]"):
        assert placeholder in out


def test_ordinary_shop_text_is_kept():
    text = "I want brown leather boots, size 10, under 120 dollars, 2 pairs; a mason jar too."
    assert Scrubber(names=NAMES)(text) == text


@pytest.mark.parametrize(
    "number,valid",
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", True),
        ("1234567812345678", False),
    ],
)
def test_luhn_against_known_values(number, valid):
    assert luhn_ok(number) is valid


def test_non_luhn_long_number_is_not_a_card():
    out = Scrubber()("tracking 4111 1111 1111 1112")
    assert "[CARD]" not in out


def test_from_session_reads_customer_names(db):
    scrub = Scrubber.from_session(db)
    assert scrub("NOAH here, and rossi") == "[NAME] here, and [NAME]"
    assert scrub("Noah Brown") == "[NAME] [NAME]"


def test_capitalised_common_word_name_mid_sentence_is_treated_as_a_name():
    # Privacy first: "Brown" written as a name mid-sentence goes, "brown boots" stays.
    assert Scrubber(names=NAMES)("ask Brown about brown boots") == "ask [NAME] about brown boots"
