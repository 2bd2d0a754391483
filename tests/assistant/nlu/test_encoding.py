"""BIO alignment round trip with the real (local) MiniLM tokenizer."""

from __future__ import annotations

import pytest

from assistant.nlu.corpus import Span, parse_markup
from assistant.nlu.encoding import BIO_TAGS, IGNORE, TAG_INDEX, align_tags, decode_spans, encode


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from assistant.settings import default_embedding_model

    return AutoTokenizer.from_pretrained(default_embedding_model())


@pytest.mark.parametrize(
    "line",
    [
        "need a [blue](color) [cotton](material) [t-shirt](product) size [M](size) [under 40 bucks](price_max)",
        "my email is [noah.brown7922@example.com](email)",
        "cancel order [#W2611340](order_id) please",
        "compare [the second one](item_ref) and [the last one](item_ref)",
        "I'm [Noah Brown](name), zip [80279](zip)",
    ],
)
def test_tags_round_trip(tokenizer, line):
    ex = parse_markup(line, "search_products")
    batch = encode(tokenizer, [ex.text], ["Here are 3 products."], examples=[ex])
    row = batch.tags[0].tolist()
    assert all(t == IGNORE for t, inside in zip(row, batch.in_text[0], strict=False) if not inside)
    ids = [t if t != IGNORE else 0 for t in row]
    assert decode_spans(ex.text, ids, batch.offsets[0], batch.in_text[0]) == list(ex.spans)


def test_context_is_second_segment_and_untagged(tokenizer):
    ex = parse_markup("[yes](item_ref)", "affirm")
    batch = encode(
        tokenizer,
        [ex.text, "hello there"],
        ["Shall I cancel it?", None],
        examples=[ex, parse_markup("hello there", "greeting")],
    )
    types = batch.token_type_ids[0].tolist()
    assert 1 in types and batch.attention_mask[1].sum() < batch.attention_mask[0].sum()
    n_text = sum(batch.in_text[0])
    assert n_text == 1 and batch.tags[0].tolist().count(IGNORE) == len(types) - 1


def test_align_marks_b_then_i():
    spans = [Span(0, 9, "product")]
    tags = align_tags(
        spans, [(0, 0), (0, 4), (4, 9), (10, 12), (0, 0)], [False, True, True, True, False]
    )
    assert [BIO_TAGS[t] if t != IGNORE else None for t in tags] == [
        None,
        "B-product",
        "I-product",
        "O",
        None,
    ]
    assert TAG_INDEX["O"] == 0
