"""``aisle train llm``, ``aisle llm prepare``, ``aisle model list|promote|rollback``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from assistant.cli import app
from assistant.cli.output import print_json
from assistant.cli.train_cmds import train_app
from assistant.errors import UserError

model_app = typer.Typer(help="Model versions.", no_args_is_help=True)
app.add_typer(model_app, name="model")
llm_app = typer.Typer(help="The generative model.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")


@llm_app.command("prepare")
def llm_prepare(
    force: bool = typer.Option(False, "--force", help="Convert again even if it was done."),
) -> None:
    """Convert the bundled SmolLM2 GGUF (llm extra) into a Hugging Face folder under the home,
    once; prints JSON ``{"model": FOLDER, "converted": bool}``."""
    from assistant.llm.bundled import is_prepared, prepare_bundled
    from assistant.settings import get_settings

    home = get_settings().ensure_home()
    done = is_prepared(home) and not force
    folder = prepare_bundled(home, force=force)
    print_json({"model": str(folder), "converted": not done})


@train_app.command("llm")
def train_llm(
    method: str = typer.Option("sft", "--method", help="sft|dpo"),
    model: str | None = typer.Option(
        None,
        "--model",
        help="HF causal LM name or path with a chat template. Env: AISLE_LLM_MODEL.",
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Exported JSON lines; default: export the feedback now."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Adapter folder; default: HOME/models/llm-..."
    ),
    epochs: float = typer.Option(1.0, "--epochs"),
    max_steps: int = typer.Option(-1, "--max-steps", help="-1: run --epochs."),
    learning_rate: float = typer.Option(2e-4, "--lr"),
    batch_size: int = typer.Option(4, "--batch-size"),
    beta: float = typer.Option(0.1, "--beta", help="DPO beta."),
    lora_r: int = typer.Option(8, "--lora-r"),
) -> None:
    """LoRA fine-tuning of a causal LM (TRL SFT or DPO) from exported feedback; prints JSON."""
    from assistant.llm import LLMTrainConfig
    from assistant.llm import train_llm as run
    from assistant.settings import get_settings

    settings = get_settings()
    model = model or settings.llm_model
    if not model:
        raise UserError("no model given; pass --model PATH (a causal LM with a chat template)")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if data is None:
        from assistant.cli.feedback_cmds import require_schema
        from assistant.feedback import export_feedback
        from assistant.store.db import session_scope

        require_schema()
        data = settings.home / "exports" / f"{method}-{stamp}.jsonl"
        with session_scope() as s:
            export_feedback(s, method, data)
    out = out or settings.models_dir / f"llm-{method}-{stamp}"
    config = LLMTrainConfig(
        model=model, data=data, out=out, method=method, epochs=epochs, max_steps=max_steps,
        learning_rate=learning_rate, batch_size=batch_size, beta=beta, lora_r=lora_r,
    )  # fmt: skip
    print_json(run(config, progress=True).to_dict())


def _registry():
    """The model registry, imported on use (it loads torch; other commands start faster)."""
    from assistant.nlu import registry

    return registry


def _row(v: Any) -> dict[str, Any]:
    """A version as a plain dict, from an ORM row, a dataclass or a dict."""
    if isinstance(v, str):
        return {"version": v}
    if isinstance(v, dict):
        d = dict(v)
    elif hasattr(v, "to_dict"):
        d = v.to_dict()
    else:
        d = {
            k: getattr(v, k)
            for k in (
                "id",
                "version",
                "status",
                "parent",
                "data_hash",
                "metrics",
                "created_at",
                "path",
            )
            if hasattr(v, k)
        }
    if "version" not in d and "id" in d:
        d["version"] = d.pop("id")
    if "created" not in d and "created_at" in d:
        d["created"] = d.pop("created_at")
    return d


def list_versions() -> list[dict[str, Any]]:
    """Every dialogue model version, newest first."""
    from assistant.cli.feedback_cmds import require_schema

    require_schema()
    return [_row(v) for v in _registry().list_versions()]


def _headline(row: dict[str, Any]) -> str:
    metrics = row.get("metrics") or row
    flat = metrics.get("eval", metrics) if isinstance(metrics.get("eval"), dict) else metrics
    parts = []
    for key in ("macro_f1", "accuracy"):
        if isinstance(flat.get(key), (int, float)):
            parts.append(f"{key}={flat[key]:.4f}")
    return " ".join(parts) or "-"


@model_app.command("list")
def model_list(
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    """Model versions: version, status, parent, data hash, metrics, created."""
    rows = list_versions()
    if as_json:
        for row in rows:
            print_json(row)
        return
    header = (
        f"{'version':<28} {'status':<10} {'parent':<28} {'data_hash':<14} {'created':<20} metrics"
    )
    typer.echo(header)
    for r in rows:
        typer.echo(
            f"{str(r.get('version')):<28} {str(r.get('status')):<10} {str(r.get('parent') or '-'):<28} "
            f"{str(r.get('data_hash') or '-')[:12]:<14} {str(r.get('created') or '')[:19]:<20} "
            f"{_headline(r)}"
        )


@model_app.command("promote")
def model_promote(
    version: str = typer.Argument(..., help="A version id from `aisle model list`."),
) -> None:
    """Make VERSION the live dialogue model."""
    from assistant.cli.feedback_cmds import require_schema

    require_schema()
    _registry().promote(version)
    print_json({"live": version})


@model_app.command("rollback")
def model_rollback() -> None:
    """Make the previous live version live again."""
    from assistant.cli.feedback_cmds import require_schema

    require_schema()
    result = _registry().rollback()
    print_json({"rolled_back": True, "live": _row(result).get("version") if result else None})
