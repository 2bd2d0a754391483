"""Personal data does not survive the scrubber, however it is written."""

from __future__ import annotations

import json
import random
import re
import string
import time
from pathlib import Path

import pytest

from assistant.feedback.scrub import PLACEHOLDERS, Scrubber, iban_ok, luhn_ok

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


# --- linear time on hostile input (a long message must not freeze the server) ---

STORE_NAMES = ["Noah", "Brown", "Mason", "Harper", "Taylor", "Lee", "Yusuf", "Rossi", "Mei", "Li"]


def _hostile(kind: str, size: int = 100_000) -> str:
    rng = random.Random(7)
    units = {
        "letters": "q",
        "digits": "7",
        "a.a.a": "b.",
        "1-1-1": "3-",
        "a@a@a": "x@",
        "a dot a dot": "z dot ",
        "a at a dot": "z at z dot ",
        "1 1 1": "5 ",
        "12 34": "12 34 ",
        "# spaces": " ",
        "Mr Mr": "Mr ",
    }
    if kind == "mixed":
        pieces = ["k", "9", ".", "-", "@", "_", " dot ", " at ", "+", "(at)", "W", "#", "'"]
        return "".join(rng.choice(pieces) for _ in range(size))[:size]
    if kind == "random printable":
        return "".join(rng.choice(string.printable) for _ in range(size))
    unit = units[kind]
    return ("#" if kind == "# spaces" else "") + (unit * (size // len(unit) + 1))[: size - 1]


@pytest.mark.parametrize(
    "kind",
    ["letters", "digits", "a.a.a", "1-1-1", "a@a@a", "a dot a dot", "a at a dot", "1 1 1",
     "12 34", "# spaces", "Mr Mr", "mixed", "random printable"],
)  # fmt: skip
def test_a_100_kb_hostile_message_is_scrubbed_in_well_under_a_second(kind):
    text = _hostile(kind)
    scrub = Scrubber.from_names(STORE_NAMES)
    start = time.perf_counter()
    scrub(text)
    # a guard against catastrophic backtracking (minutes), not a speed target: that is benchmarks/scrub.py
    assert time.perf_counter() - start < 5.0  # about 0.05-0.3 s here, over 1 s on a loaded 2-core machine


# --- names of strangers, found by context ---


@pytest.mark.parametrize(
    "text,name",
    [
        ("hello, my name is Ines Carvalho and the lamp is broken", "Ines Carvalho"),
        ("I'm Bartłomiej Zieliński, where is my parcel?", "Bartłomiej Zieliński"),
        ("this is Séamus Ó Dónaill again about the refund", "Séamus Ó Dónaill"),
        ("name's rosalind fairweather, can you help", "rosalind fairweather"),
        ("hi, i'm tobias, the kettle leaks", "tobias"),
        ("call me Bea", "Bea"),
        ("Warm regards,\nDeirdre McAllister-Quinn", "Deirdre McAllister-Quinn"),
        ("Regards, Tom", "Tom"),
        ("cheers,\nnkechi obi", "nkechi obi"),
        ("Signed,\nD'Arcy Fontaine", "D'Arcy Fontaine"),
        ("please send it to my brother, Emeka Nwosu, at work", "Emeka Nwosu"),
        ("my girlfriend Saoirse ordered the rug", "Saoirse"),
        ("Hi, it's Pablo here, any news on the sofa?", "Pablo"),
        ("Customer name: Aleksandra Nowak", "Aleksandra Nowak"),
        ("put the name Ruth Abernathy on the card please", "Ruth Abernathy"),
        ("Hello, this is Prof. Ama Owusu, I ordered a desk", "Ama Owusu"),
        ("ask for Giedre at the front desk", "Giedre"),
        ("ich bin Jürgen Weiß und warte auf mein Paket", "Jürgen Weiß"),
        ("Surname: Abernethy-Kaur", "Abernethy-Kaur"),
        ("From: Linnea Sjöberg\nSubject: broken zip", "Linnea Sjöberg"),
        ("Cosmin Popescu here, the sofa has a tear", "Cosmin Popescu"),
        ("Kind regards Wilhelmina", "Wilhelmina"),
        ("a courier named Dariusz left it outside", "Dariusz"),
        ("my daughter called Ilse wants the blue one", "Ilse"),
    ],
)
def test_a_strangers_name_after_a_cue_is_removed(text, name):
    out = Scrubber()(text)
    for part in name.split():
        assert part not in out, out
    assert "[NAME]" in out


@pytest.mark.parametrize(
    "text",
    [
        "I'm looking for a rug for my living room",
        "I'm so disappointed, it arrived late",
        "this is Outrageous, the price doubled",
        "This is the second time I write",
        "Thanks so much for the quick reply",
        "thanks, that fixed it!",
        "call me back tomorrow please",
        "my partner ordered the wrong colour",
        "im in Leeds, how long is delivery?",
        "do you ship to Portugal? 3-5 days?",
        "it's Rose gold, not pink",
        "I'm Canadian, can I pay in CAD?",
        "Logitech MX Master 3S or MX Anywhere 3",
        "They're here to help, we're told",
        "a lamp called Lumo and a game named Fable",
        "I love Zara.",
        "the voucher expires 12/31",
        "this is theft",
        "recipient name, address and phone",
    ],
)
def test_ordinary_words_after_a_cue_are_kept(text):
    assert Scrubber()(text) == text


def test_a_full_name_found_once_goes_everywhere_in_the_message():
    out = Scrubber()("I'm Tove Halvorsen. Tove Halvorsen is on the card, not Tove.")
    assert "Halvorsen" not in out and out.startswith("I'm [NAME] [NAME]. [NAME] [NAME] is")


def test_customer_names_that_are_colour_words_stay_in_product_talk():
    scrub = Scrubber.from_names(STORE_NAMES)
    for text in [
        "the Brown suede loafers in size 10",
        "Rose gold strap for the watch",
        "Mason jars, 6 pack",
        "a Harper blue throw and a brown rug",
    ]:
        assert scrub(text) == text
    assert scrub("my name is Ivy Brown and I want the Brown boots") == (
        "my name is [NAME] [NAME] and I want the Brown boots"
    )


# --- phones, postcodes, addresses ---


@pytest.mark.parametrize(
    "phone",
    ["07700 900417", "07700900417", "07700-900-417", "+44 7700 900 871", "020 7946 0312",
     "0117 496 0555", "+44 (0)117 496 0555", "+49 89 1234 5678", "+49 30 901830",
     "+33 6 12 34 56 78", "06 98 76 54 32", "+31 20 555 0199", "0031 20 555 0199",
     "+353 1 555 0123", "+1 (646) 555-0111", "646.555.0111", "(646) 555-0111",
     "(+44) 7700 900417", "089/23456789"],
)  # fmt: skip
def test_uk_eu_and_us_phone_numbers_are_removed(phone):
    out = Scrubber()(f"you can reach me on {phone} in the evening")
    assert out == "you can reach me on [PHONE] in the evening"


def test_a_seven_digit_number_is_a_phone_only_after_a_phone_word():
    assert Scrubber()("text 555-0188 when you arrive") == "text [PHONE] when you arrive"
    assert Scrubber()("part 555-0188 is missing") == "part 555-0188 is missing"


@pytest.mark.parametrize(
    "text,code",
    [
        ("deliver to W1A 0AX please", "W1A 0AX"),
        ("my postcode is se1 9sg", "se1 9sg"),
        ("is LS14DY in your area?", "LS14DY"),
        ("Toronto M5V 3L9, how long?", "M5V 3L9"),
        ("Lieferadresse: Zeil 5, 60313 Frankfurt", "60313"),
        ("code postal 69002, Lyon", "69002"),
        ("ship to 3011 GD Rotterdam", "3011 GD"),
        ("the zip is 30301-2211", "30301-2211"),
        ("adres dostawy: 31-042 Kraków", "31-042"),
        ("my address: Kungsgatan 8, 411 19 Göteborg", "411 19"),
        ("entrega em 04538-132 São Paulo", "04538-132"),
        ("Eircode T12 X70A", "T12 X70A"),
        ("VIC 3056, is delivery free?", "3056"),
    ],
)
def test_postcodes_are_removed(text, code):
    out = Scrubber()(text)
    assert code not in out and ("[POSTCODE]" in out or "[ZIP]" in out), out


@pytest.mark.parametrize(
    "text,secret",
    [
        ("send it to 27 Willow Crescent, Bath BA2 3QT", "27 Willow Crescent"),
        ("Flat 7, 3 Mill Lane, York YO1 7HX", "Flat 7, 3 Mill Lane"),
        ("new address: 8 rue des Lilas, 69003 Lyon", "8 rue des Lilas"),
        ("Lieferung an Gartenstraße 21, 10115 Berlin", "Gartenstraße 21"),
        ("Via Garibaldi 14, 10122 Torino", "Via Garibaldi 14"),
        ("P.O. Box 902, Reno NV 89501", "P.O. Box 902"),
        ("deliver to Prinsengracht 263, 1016 GV Amsterdam", "Prinsengracht 263"),
        ("address: 40-42 Church Road, Cardiff CF14 2DX", "40-42 Church Road"),
        ("Calle de Alcalá 21, 28014 Madrid, for delivery", "Calle de Alcalá 21"),
    ],
)
def test_street_addresses_in_several_countries_are_removed(text, secret):
    out = Scrubber()(text)
    assert secret not in out and "[ADDRESS]" in out, out


# --- cards, bank details, SSNs ---


def test_a_card_that_fails_luhn_goes_when_the_message_is_about_a_card():
    assert Scrubber()("my card 5555 5555 5555 4445 cvc 771") == "my card [CARD] cvc [CARD]"
    assert Scrubber()("visa 4000002500003155 exp 7/29") == "visa [CARD] exp [CARD]"
    assert (
        Scrubber()("parcel 5555 5555 5555 4445 is stuck") == "parcel 5555 5555 5555 4445 is stuck"
    )


@pytest.mark.parametrize(
    "text,expected",
    [
        ("amex 3714 496353 98431", "amex [CARD]"),
        ("pay with 5555555555554444 please", "pay with [CARD] please"),
        ("the CVV is 884", "the CVV is [CARD]"),
        ("security code: 0412", "security code: [CARD]"),
        ("card ends 4444, expiry 02/2030", "card ends 4444, expiry [CARD]"),
        ("this coupon expires 10/31", "this coupon expires 10/31"),
        ("ISBN 978-1-4028-9462-6 hardback", "ISBN 978-1-4028-9462-6 hardback"),
    ],
)
def test_cards_cvv_and_expiry(text, expected):
    assert Scrubber()(text) == expected


@pytest.mark.parametrize(
    "iban", ["BE68539007547034", "BE68 5390 0754 7034", "at61 1904 3002 3457 3201",
             "IE29 AIBK 9311 5212 3456 78", "PL61109010140000071219812874"],
)  # fmt: skip
def test_ibans_with_and_without_spaces_are_removed(iban):
    assert Scrubber()(f"refund to {iban} thanks") == "refund to [IBAN] thanks"


def test_an_iban_that_fails_mod_97_is_not_an_iban():
    assert iban_ok("GB33LOYD30963912345678") and not iban_ok("GB34LOYD30963912345678")
    assert "[IBAN]" not in Scrubber()("ref GB34 LOYD 3096 3912 3456 78")


def test_after_the_word_iban_a_mistyped_iban_still_goes():
    assert Scrubber()("IBAN: BE69 5390 0754 7034") == "IBAN: [IBAN]"


def test_uk_sort_code_and_account_number_are_removed():
    out = Scrubber()("bank details: sort code 30-96-39, account number 12345678")
    assert "30-96-39" not in out and "12345678" not in out and "[IBAN]" in out


@pytest.mark.parametrize(
    "text", ["SSN 512-44-9031", "my ssn is 512449031", "social security 512 44 9031"]
)
def test_ssns_are_removed(text):
    out = Scrubber()(text)
    assert "[SSN]" in out and "9031" not in out, out


def test_the_last_four_of_an_ssn_go():
    assert Scrubber()("the last 4 of my SSN are 9031") == "the last 4 of my SSN are [SSN]"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cancel order 5512098 please", "cancel order [ORDER] please"),
        ("my order W-5512098 is late", "my order [ORDER] is late"),
        ("the purchase with the number 55120981234", "the purchase with the number [ORDER]"),
        ("I want to order 2 more", "I want to order 2 more"),
    ],
)
def test_order_ids_written_without_their_prefix(text, expected):
    assert Scrubber()(text) == expected


# --- emails and ids ---


@pytest.mark.parametrize(
    "email",
    ["ana dot silva at lojinha dot store", "ana.silva at lojinha dot pt",
     "ana_silva(at)lojinha(dot)io", "ana . silva @ lojinha . com", "ANA.SILVA@LOJINHA.COM.BR",
     "ana+shop@mail.lojinha.co.uk", "ana.silva at gmail"],
)  # fmt: skip
def test_emails_written_any_way_are_removed(email):
    assert Scrubber()(f"write to {email} please") == "write to [EMAIL] please"


def test_at_and_dot_in_ordinary_text_are_not_an_email():
    for text in [
        "look at amazon.com for the price",
        "I'm at home dot dot dot",
        "seen at 9.30 today",
    ]:
        assert Scrubber()(text) == text


@pytest.mark.parametrize(
    "text", ["refund to credit_card_5521907", "use paypal_3318274", "gift_card_123 balance",
             "my user id is ava_kim_4410", "customer liam_nguyen_77"],
)  # fmt: skip
def test_payment_and_customer_ids_are_removed(text):
    out = Scrubber.from_names(STORE_NAMES)(text)
    assert "[ID]" in out and not re.search(r"\d", out), out


# --- random numbers built by slow obvious references, embedded in shop sentences ---


def _luhn_check_digit(prefix: str) -> str:
    for d in "0123456789":
        digits = [int(c) for c in reversed(prefix + d)]
        total = sum(n if i % 2 == 0 else sum(divmod(2 * n, 10)) for i, n in enumerate(digits))
        if total % 10 == 0:
            return d
    raise AssertionError(prefix)


def _iban(country: str, bban: str) -> str:
    numeric = "".join(str(ord(c) - 55) if c.isalpha() else c for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def _random_secrets(rng: random.Random) -> list[tuple[str, str]]:
    card = rng.choice("3456") + "".join(rng.choice(string.digits) for _ in range(14))
    card += _luhn_check_digit(card)
    card = rng.choice([card, " ".join(card[i : i + 4] for i in range(0, 16, 4))])
    bban = "".join(rng.choice(string.digits) for _ in range(8 + 8 + 2))
    iban = _iban("DE", bban)
    iban = rng.choice([iban, " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))])
    mobile = f"{rng.randint(0, 999):03d}"
    phone = rng.choice(["07700 900{}", "07700900{}", "+44 7700 900{}", "+44 7700 900 {}"])
    return [("[CARD]", card), ("[IBAN]", iban), ("[PHONE]", phone.format(mobile))]


def test_random_cards_ibans_and_phones_in_shop_sentences_are_removed():
    rng = random.Random(11)
    templates = [
        "please use {} for the 2 pack of socks",
        "hi, it's {} - size 10 boots, $59.99",
        "{}",
        "refund the £45 to {} thanks",
    ]
    scrub = Scrubber.from_names(STORE_NAMES)
    for _ in range(300):
        for placeholder, secret in _random_secrets(rng):
            template = rng.choice(templates)
            assert scrub(template.format(secret)) == template.format(placeholder), secret


def test_random_prices_sizes_and_dates_are_kept():
    rng = random.Random(12)
    scrub = Scrubber.from_names(STORE_NAMES)
    for _ in range(500):
        text = rng.choice(
            [
                f"is it ${rng.randint(1, 9)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}?",
                f"size {rng.randint(4, 14)}, {rng.randint(2, 12)} pack, {rng.randint(1, 9)}TB",
                f"ordered {rng.randint(1, 9)} on {rng.randint(1, 28):02d}/"
                f"{rng.randint(1, 12):02d}/{rng.randint(1990, 2030)}",
                f"SKU {rng.randint(1000, 9999999)} and model {rng.choice('ABXQ')}"
                f"{rng.randint(100, 9999)}",
                f"{rng.randint(10, 300)} x {rng.randint(10, 300)} cm, {rng.randint(2, 90)} kg",
                f"{rng.randint(1900, 2030)}-{rng.randint(1900, 2030)} models, {rng.randint(2, 9)}"
                f" for {rng.randint(10, 99)},{rng.randint(0, 99):02d} €",
            ]
        )
        assert scrub(text) == text


# --- ordinary shop text ---


@pytest.mark.parametrize(
    "text",
    [
        "is it $1,299.99 or £45 or 12,99 €?",
        "Sony WH-1000XM5 vs Bose 700, iPhone 15 Pro 256GB",
        "SKU 1002938 in size 10, 2 pairs",
        "a 4K 55 inch TV delivered on 12/03/2025 between 9-5",
        "the 2023 model, 3 for 2, 120 x 60 cm, 23.5 kg",
        "EAN 5012345678900 and part 910-006557",
        "Brown leather boots, Rose gold watch, Olive green coat",
        "3 in a row, a 2 way radio and a 4 pack",
        "prices went from 1,099.00 to 1,299.00 in 2024",
    ],
)
def test_ordinary_shop_text_survives(text):
    assert Scrubber.from_names(STORE_NAMES)(text) == text


def test_placeholders_extend_the_old_tuple():
    old = ("[EMAIL]", "[PHONE]", "[CARD]", "[ADDRESS]", "[ZIP]", "[ORDER]", "[NAME]")
    assert PLACEHOLDERS[: len(old)] == old
    assert {"[IBAN]", "[SSN]", "[POSTCODE]", "[ID]"} <= set(PLACEHOLDERS)


# --- the development set (data/eval/pii_cases.jsonl, written apart from the code) ---

DEV_SET = Path(__file__).resolve().parents[2] / "data" / "eval" / "pii_cases.jsonl"


@pytest.mark.skipif(not DEV_SET.exists(), reason="no data/eval/pii_cases.jsonl")
@pytest.mark.parametrize("with_names", [False, True])
def test_dev_set_is_mostly_fully_scrubbed(with_names):
    # 100% of 186 cases when this was written; the floor leaves room for rule changes.
    cases = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    scrub = Scrubber.from_names(STORE_NAMES) if with_names else Scrubber()
    right = 0
    for case in cases:
        out = scrub(case["text"])
        right += all(s not in out for s in case["must_remove"]) and all(
            s in out for s in case["must_keep"]
        )
    assert right / len(cases) >= 0.9
