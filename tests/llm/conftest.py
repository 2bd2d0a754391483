"""A tiny random Llama with a word-level tokenizer and a chat template, built locally (no downloads)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("peft")
pytest.importorskip("trl")

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <|end|> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
SPECIALS = ["<pad>", "<unk>", "<s>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>"]
WORDS = (
    "hi hello there how can i help you today where is my order it ships tomorrow sorry "
    "was delivered yesterday thanks bye goodbye welcome boots shoes red blue show me "
    "here are some the a for cheap great nice , . ! ? [NAME] [EMAIL] [ORDER]"
).split()

SFT_CONVERSATIONS = [
    [("user", "hi"), ("assistant", "hello ! how can i help you today ?")],
    [("user", "where is my order ?"), ("assistant", "it ships tomorrow .")],
    [("user", "show me red boots"), ("assistant", "here are some red boots .")],
    [("user", "thanks , bye"), ("assistant", "you are welcome . goodbye !")],
]
DPO_PAIRS = [
    ("where is my order ?", "it ships tomorrow .", "sorry , it was delivered yesterday ."),
    ("hi", "hello ! how can i help you today ?", "bye ."),
    ("show me blue shoes", "here are some blue shoes .", "sorry ."),
    ("thanks", "you are welcome .", "where is my order ?"),
]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(SPECIALS + sorted(set(WORDS) | {"are"}))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="<|end|>",
        additional_special_tokens=["<|user|>", "<|assistant|>", "<|system|>"],
    )
    tok.chat_template = CHAT_TEMPLATE
    return tok


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory):
    """Path of a saved 2-layer Llama (hidden 32) and its tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    path = tmp_path_factory.mktemp("tiny-llama")
    tok = _tokenizer()
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        initializer_range=0.3,  # large enough that a LoRA on the projections can move the logits
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture()
def sft_file(tmp_path):
    path = tmp_path / "sft.jsonl"
    with path.open("w") as fh:
        for conv in SFT_CONVERSATIONS * 2:
            fh.write(json.dumps({"messages": [{"role": r, "content": c} for r, c in conv]}) + "\n")
    return path


@pytest.fixture()
def dpo_file(tmp_path):
    path = tmp_path / "dpo.jsonl"
    with path.open("w") as fh:
        for prompt, chosen, rejected in DPO_PAIRS * 2:
            fh.write(
                json.dumps(
                    {
                        "prompt": [{"role": "user", "content": prompt}],
                        "chosen": [{"role": "assistant", "content": chosen}],
                        "rejected": [{"role": "assistant", "content": rejected}],
                        "source": "agent_edit",
                    }
                )
                + "\n"
            )
    return path
