"""LoRA SFT and DPO on a tiny random Llama: loss goes down, the adapter changes, loads back, generates."""

from __future__ import annotations

import json

import pytest
import torch

from assistant.errors import UserError
from assistant.llm import LLMTrainConfig, train_llm
from assistant.llm.lora import detect_target_modules


def _completion_logprob(model, tok, prompt: str, completion: str) -> float:
    """Sum of log p(completion tokens | chat prompt), computed directly with the model."""
    messages = [{"role": "user", "content": prompt}]
    prefix = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = prefix + completion + " <|end|> "
    p_ids = tok(prefix, add_special_tokens=False)["input_ids"]
    ids = tok(full, add_special_tokens=False)["input_ids"]
    assert ids[: len(p_ids)] == p_ids
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    logp = torch.log_softmax(logits[:-1].float(), dim=-1)
    target = torch.tensor(ids[1:])
    picked = logp[torch.arange(len(target)), target]
    return float(picked[len(p_ids) - 1 :].sum())


def _load(tiny_lm, adapter=None):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(tiny_lm).eval()
    tok = AutoTokenizer.from_pretrained(adapter or tiny_lm)
    if adapter is None:
        return base, tok
    return PeftModel.from_pretrained(base, adapter).eval(), tok


def _adapter_tensors(out):
    from safetensors.torch import load_file

    return load_file(str(out / "adapter_model.safetensors"))


def test_target_modules_detected_for_llama_and_gpt2(tiny_lm):
    from transformers import GPT2Config, GPT2LMHeadModel

    base, _ = _load(tiny_lm)
    assert detect_target_modules(base) == [
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
    ]  # fmt: skip
    gpt2 = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=50))
    assert detect_target_modules(gpt2) == ["c_attn", "c_proj", "c_fc"]


def test_sft_lowers_loss_and_adapter_loads_back(tiny_lm, sft_file, tmp_path):
    out = tmp_path / "sft-adapter"
    config = LLMTrainConfig(
        model=str(tiny_lm), data=sft_file, out=out, method="sft", max_steps=40,
        learning_rate=1e-2, batch_size=4, device="cpu", lora_r=8, lora_dropout=0.0,
    )  # fmt: skip
    result = train_llm(config, progress=False)
    assert result.steps == 40 and result.device == "cpu" and result.examples == 8
    first, last = sum(result.losses[:5]) / 5, sum(result.losses[-5:]) / 5
    assert last < 0.5 * first, result.losses
    tensors = _adapter_tensors(out)
    lora_b = [t for name, t in tensors.items() if "lora_B" in name]
    assert lora_b and all(t.abs().sum() > 0 for t in lora_b)  # lora_B starts at zero
    meta = json.loads((out / "aisle_llm.json").read_text())
    assert meta["result"]["steps"] == 40

    base, tok = _load(tiny_lm)
    tuned, tok = _load(tiny_lm, out)
    before = _completion_logprob(base, tok, "where is my order ?", "it ships tomorrow .")
    after = _completion_logprob(tuned, tok, "where is my order ?", "it ships tomorrow .")
    assert after > before + 5.0, (before, after)
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": "where is my order ?"}],
        add_generation_prompt=True,
        tokenize=False,
    )
    ids = tok(prompt, return_tensors="pt", add_special_tokens=False)
    gen = tuned.generate(**ids, max_new_tokens=6, do_sample=False, pad_token_id=tok.pad_token_id)
    text = tok.decode(gen[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
    assert text.split()[:3] == ["it", "ships", "tomorrow"], text


def test_dpo_prefers_chosen_after_training(tiny_lm, dpo_file, tmp_path):
    out = tmp_path / "dpo-adapter"
    config = LLMTrainConfig(
        model=str(tiny_lm), data=dpo_file, out=out, method="dpo", max_steps=30,
        learning_rate=1e-2, batch_size=4, beta=0.1, device="cpu", lora_dropout=0.0,
    )  # fmt: skip
    result = train_llm(config, progress=False)
    assert result.losses[0] == pytest.approx(0.6931, abs=0.02)  # log 2: policy == reference
    assert result.losses[-1] < 0.5 * result.losses[0], result.losses
    base, tok = _load(tiny_lm)
    tuned, tok = _load(tiny_lm, out)

    def margin(model, prompt, chosen, rejected):
        return _completion_logprob(model, tok, prompt, chosen) - _completion_logprob(
            model, tok, prompt, rejected
        )

    args = ("where is my order ?", "it ships tomorrow .", "sorry , it was delivered yesterday .")
    assert margin(tuned, *args) > margin(base, *args) + 1.0


def test_bad_inputs_are_user_errors(tiny_lm, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        train_llm(
            LLMTrainConfig(model=str(tiny_lm), data=tmp_path / "nope.jsonl", out=tmp_path / "o")
        )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "hi"}) + "\n")
    with pytest.raises(UserError, match="missing messages"):
        train_llm(LLMTrainConfig(model=str(tiny_lm), data=bad, out=tmp_path / "o"))
    with pytest.raises(UserError, match="method"):
        LLMTrainConfig(model="x", data=bad, out=tmp_path, method="ppo")


def test_cli_train_llm_prints_result(tiny_lm, sft_file, tmp_path, capsys, aisle_home):
    from assistant.cli import main

    out = tmp_path / "cli-adapter"
    argv = ["train", "llm", "--method", "sft", "--model", str(tiny_lm), "--data", str(sft_file)]
    with pytest.raises(SystemExit) as exc:  # typer's standalone mode exits 0 on success
        main([*argv, "--out", str(out), "--max-steps", "2", "--lr", "0.01"])
    assert exc.value.code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["steps"] == 2 and result["method"] == "sft" and result["out"] == str(out)
    assert (out / "adapter_config.json").exists()


@pytest.mark.gpu
def test_sft_and_dpo_run_on_the_gpu(tiny_lm, sft_file, dpo_file, tmp_path):
    for method, data in (("sft", sft_file), ("dpo", dpo_file)):
        config = LLMTrainConfig(
            model=str(tiny_lm), data=data, out=tmp_path / method, method=method, max_steps=20,
            learning_rate=1e-2, device="cuda", lora_dropout=0.0,
        )  # fmt: skip
        result = train_llm(config, progress=False)
        assert result.device.startswith("cuda")
        assert result.losses[-1] < result.losses[0], (method, result.losses)
