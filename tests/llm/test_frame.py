"""Schema-constrained frame decoding (assistant.llm.frame) with tiny random causal LMs: whatever
the model and the message, the output parses into the one frame schema, every slot value is
read from the message (or the catalogue's grounding), and the cached prompt prefix gives the
same frames as a fresh decoder."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.llm.frame import FrameDecoder
from assistant.llm.frame_values import SPAN_SLOTS, numbers, slot_candidates, spans
from assistant.nlu.generative import (
    SYSTEM_PROMPT,
    GenerativeUnderstander,
    HFFrameBackend,
    build_messages,
    parse_understanding,
)
from assistant.nlu.labels import INTENTS, SLOT_NAMES
from assistant.nlu.types import Understanding

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIALS = ["<pad>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
WORDS = "show me red boots under 50 dollars cheap blue jacket where is my order #W2611340 cancel it hi thanks".split()


def _bpe_tokenizer():
    """A byte-level BPE (every string encodes; merges make pieces share token prefixes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    corpus = [SYSTEM_PROMPT, " ".join(INTENTS), " ".join(SLOT_NAMES), " ".join(WORDS),
              '{"intent": "search_products", "confidence": 0.9, "slots": {"color": "blue"}}'] * 3  # fmt: skip
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(corpus, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="<|end|>")
    tok.chat_template = CHAT_TEMPLATE
    return tok


@pytest.fixture(scope="module")
def tiny_frame_lms(tmp_path_factory):
    """Two saved 2-layer random Llamas (different seeds) sharing one BPE tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = _bpe_tokenizer()
    paths = []
    for seed in (0, 1):
        path = tmp_path_factory.mktemp(f"tiny-frame-lm-{seed}")
        torch.manual_seed(seed)
        config = LlamaConfig(
            vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
            initializer_range=0.5, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
        )  # fmt: skip
        LlamaForCausalLM(config).eval().save_pretrained(path)
        tok.save_pretrained(path)
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def decoders(tiny_frame_lms):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = []
    for path in tiny_frame_lms:
        model = AutoModelForCausalLM.from_pretrained(path).eval()
        tok = AutoTokenizer.from_pretrained(path)
        prefix = [{"role": "system", "content": SYSTEM_PROMPT}]
        out.append(
            FrameDecoder(model, tok, prefix, grounding={"brand": ["Acme", "Zephyr"]}).warm_up()
        )
    return out


def _check(decoder: FrameDecoder, text: str, context: str | None) -> Understanding:
    frame = decoder.decode(build_messages(text, context)[1]["content"], text)
    u = parse_understanding(frame.text, "llm:tiny")  # raises if the output does not parse
    assert u.intent in INTENTS and 0.0 <= u.confidence <= 1.0
    assert u.confidence == frame.intent_probability
    assert set(u.slots) <= set(SLOT_NAMES) and len(u.slots) <= decoder.max_slots
    for slot, value in u.slots.items():
        if slot == "brand":
            assert value in ("Acme", "Zephyr") and value.lower() in text.lower()
        elif slot == "option":  # a string option is read as {"feature": value}
            assert list(value) == ["feature"] and value["feature"] in spans(text)
        elif slot in SPAN_SLOTS:
            assert value in spans(text)  # words of the message, never invented
        elif slot in ("price_min", "price_max", "quantity"):
            assert float(value) in numbers(text)
    return u


MESSAGE_WORDS = st.sampled_from(
    WORDS
    + ["Acme", "zephyr", "a@b.com", "12345", "$19.99", "1,200", "2", "ünï", "😀", '"', "\\", "{}"]
)
MESSAGES = st.one_of(
    st.text(max_size=60),
    st.lists(MESSAGE_WORDS, max_size=14).map(" ".join),
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=MESSAGES, context=st.one_of(st.none(), st.text(max_size=40)), which=st.integers(0, 1))
def test_output_always_parses_into_the_frame_schema(decoders, text, context, which):
    _check(decoders[which], text, context)


def test_models_really_choose(decoders):
    """The random models pick different frames for different messages (the walk is not fixed)."""
    texts = ["show me red boots under 50 dollars", "where is my order #W2611340", "hi", "cancel it",
             "cheap blue jacket", "thanks", "Acme boots 2", "", "a@b.com 12345"]  # fmt: skip
    frames = {(d_i, t): _check(d, t, None) for d_i, d in enumerate(decoders) for t in texts}
    assert len({(u.intent, tuple(sorted(u.slots))) for u in frames.values()}) > 2


def test_cached_prefix_gives_the_same_frames_as_a_fresh_decoder(tiny_frame_lms, decoders):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    used = decoders[0]
    texts = ["show me red boots under 50 dollars", "where is my order #W2611340", "thanks"]
    for t in texts:  # the shared decoder has run other messages before each of these
        used.decode(build_messages("hi", None)[1]["content"], "hi")
        again = used.decode(build_messages(t, None)[1]["content"], t).text
        model = AutoModelForCausalLM.from_pretrained(tiny_frame_lms[0]).eval()
        tok = AutoTokenizer.from_pretrained(tiny_frame_lms[0])
        fresh = FrameDecoder(model, tok, [{"role": "system", "content": SYSTEM_PROMPT}],
                             grounding={"brand": ["Acme", "Zephyr"]})  # fmt: skip
        assert fresh.decode(build_messages(t, None)[1]["content"], t).text == again
    assert used._cache.get_seq_length() == used._prefix_len > 0  # cut back to the prefix


def test_slot_candidates_are_read_from_the_message():
    c = slot_candidates("2 Acme boots under $1,200.50 for a@b.com, order #W2611340 to 94107",
                        grounding={"brand": ["Acme", "Other"]})  # fmt: skip
    assert c["brand"] == [' "Acme"']
    assert " 1200.5" in c["price_max"] and " 2" in c["quantity"] and " 1200.5" not in c["quantity"]
    assert (
        c["email"] == [' "a@b.com"']
        and ' "#W2611340"' in c["order_id"]
        and c["zip"] == [' "94107"']
    )
    assert ' "Acme boots"' in c["product"] and list(c) == [k for k in SLOT_NAMES if k in c]
    assert "brand" not in slot_candidates("red boots", grounding={"brand": ["Acme"]})
    assert spans("") == [] and "product" not in slot_candidates("")
    assert spans('say "hi" now', 2) == ["say", "hi", "now", "say hi", "hi now"]


def test_understander_marks_generative_and_fallback(tiny_frame_lms):
    class Encoder:
        def predict(self, texts, contexts=None):
            return [
                Understanding(intent="greeting", confidence=0.5, model_version="enc") for _ in texts
            ]

    backend = HFFrameBackend(tiny_frame_lms[1], few_shot=0)
    gen = GenerativeUnderstander(backend, fallback=Encoder())
    out = gen.predict(["show me red boots", "where is my order #W2611340"], [None, "Hi!"])
    assert [u.understood_by for u in out] == ["generative", "generative"] and gen.fallbacks == 0
    assert all(u.model_version == f"llm:{tiny_frame_lms[1]}" for u in out)

    def broken(text, context):
        raise RuntimeError("out of memory")

    backend.frame = broken
    u = gen.predict_one("hi")
    assert (u.understood_by, u.model_version, gen.fallbacks) == ("fallback", "enc", 1)


def test_few_shot_prefix_comes_from_the_training_split():
    from assistant.nlu.corpus.build import build_corpus
    from assistant.nlu.generative import few_shot_messages

    messages = few_shot_messages(1)
    assert [m["role"] for m in messages[:4]] == ["user", "assistant", "user", "assistant"]
    answers = [parse_understanding(m["content"], "x") for m in messages if m["role"] == "assistant"]
    assert {u.intent for u in answers} == set(INTENTS)
    train = {ex.text for ex in build_corpus().train}
    assert all(
        m["content"].removeprefix("Shopper: ") in train for m in messages if m["role"] == "user"
    )
