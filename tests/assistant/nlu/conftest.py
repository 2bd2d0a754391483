"""A tiny random BERT encoder and tokenizer built locally (no downloads)."""

from __future__ import annotations

import string

import pytest

WORDS = (
    "i need want a the blue red black cotton shirt t size m under 50 bucks cancel order my email is "
    "hello hi yes no thanks bye where track refund weather joke compare first second one it waterproof "
    "gift for runner show me cheaper zip name noah brown account password invoice delivery"
).split()


@pytest.fixture(scope="session")
def tiny_encoder_path(tmp_path_factory):
    """Folder with a 2-layer, 32-wide BERT and a WordPiece tokenizer over a tiny vocabulary."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-encoder")
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = (
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + chars
        + ["##" + c for c in chars]
        + sorted(set(WORDS))
    )
    tokenizer = BertTokenizerFast(
        vocab={w: i for i, w in enumerate(dict.fromkeys(vocab))}, do_lower_case=True
    )
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, type_vocab_size=2,
    )  # fmt: skip
    BertModel(config).save_pretrained(folder)
    return str(folder)
