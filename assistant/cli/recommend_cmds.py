"""``aisle train recommender``, ``aisle eval recommend`` and ``aisle recommend``: the
sequential recommender."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import print_json
from assistant.cli.search_cmds import eval_app
from assistant.cli.train_cmds import train_app
from assistant.errors import UserError


def _check_ks(k: list[int]) -> list[int]:
    bad = [x for x in k if x < 1]
    if bad:
        raise UserError(f"--k must be positive cut-offs, got {bad[0]}")
    return sorted(set(k))


@train_app.command("recommender")
def train_recommender(
    from_file: Path | None = typer.Option(
        None,
        "--from",
        help="Interaction file 'USER ITEM ITEM ...' oldest first (default: the store).",
    ),
    epochs: int = typer.Option(200, "--epochs", help="Most training epochs (early stopping)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Train a recommender version; promote it only if not worse on the fixed evaluation."""
    from ranker.recommender import read_interaction_file
    from ranker.recommender import train_recommender as run
    from ranker.sequential import SASRecConfig

    if epochs < 1:
        raise UserError("--epochs must be at least 1")
    seqs = read_interaction_file(from_file) if from_file is not None else None
    result = run(seqs, config=SASRecConfig(max_epochs=epochs))
    if as_json:
        print_json(result)
        return
    cand, live = result["metrics"]["candidate"], result["metrics"]["live"]
    typer.echo(
        f"version {result['version']}: NDCG@10 {cand['ndcg@10']:.4f}, "
        f"Recall@10 {cand['recall@10']:.4f} on {cand['users']} held-out shoppers"
    )
    if live:
        typer.echo(f"live {live['version']}: NDCG@10 {live['ndcg@10']:.4f}")
    typer.echo("promoted" if result["promoted"] else "not promoted (worse than the live version)")


@eval_app.command("recommend")
def eval_recommend(
    interactions: Path = typer.Option(
        ..., "--interactions", help="Interaction file 'USER ITEM ITEM ...' oldest first."
    ),
    k: list[int] = typer.Option([5, 10], "--k", help="Recall/NDCG cut-offs."),
    model: str | None = typer.Option(
        None, "--model", help="Evaluate this trained version instead of training."
    ),
    epochs: int = typer.Option(200, "--epochs", help="Most training epochs (early stopping)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (the default output)."),
) -> None:
    """Leave-one-out: train on all but each shopper's last two items (the second-to-last
    for early stopping), rank every item for the last one."""
    from assistant.core.device import resolve_device
    from ranker.recommender import read_interaction_file, version_path
    from ranker.sequential import (
        ItemVocab,
        SASRec,
        SASRecConfig,
        evaluate_scores,
        leave_one_out,
        score_all,
        train_sasrec,
    )

    ks = _check_ks(k)
    if epochs < 1:
        raise UserError("--epochs must be at least 1")
    seqs = read_interaction_file(interactions)
    device = resolve_device()
    train_s = 0.0
    if model is None:
        vocab = ItemVocab.from_sequences(seqs.values())
        split = leave_one_out({u: vocab.encode(s) for u, s in seqs.items()})
        if not split.test:
            raise UserError(f"{interactions}: no shopper has 3 or more items to hold out")
        t0 = time.perf_counter()
        rec, _ = train_sasrec(split, len(vocab), SASRecConfig(max_epochs=epochs), device=device)
        train_s = time.perf_counter() - t0
        test = split.test
    else:
        rec, vocab, _ = SASRec.load(version_path(model), device)
        raw = leave_one_out(seqs).test
        if not raw:
            raise UserError(f"{interactions}: no shopper has 3 or more items to hold out")
        test = [(u, vocab.encode(h), vocab.index.get(t, -1)) for u, h, t in raw]
    known = [(h, t) for _, h, t in test if t > 0]
    ranks, top = score_all(
        rec.score, [h for h, _ in known], max_len=rec.config.max_len,
        targets=[t for _, t in known], top=max(10, *ks), device=device,
    )  # fmt: skip
    import torch

    misses = len(test) - len(known)  # held-out items the version never saw: misses
    ranks = torch.cat([ranks, torch.full((misses,), len(vocab) + 1, dtype=ranks.dtype)])
    metrics = evaluate_scores(ranks, top, len(vocab), ks=ks)
    out = {
        "users": len(test),
        "items": len(vocab),
        "train_s": round(train_s, 2),
        "metrics": {name: round(v, 6) for name, v in metrics.items()},
    }
    if model is not None:
        out["model"] = model
    print_json(out)


@app.command("recommend")
def recommend(
    user: str = typer.Option(..., "--user", help="The shopper (customer id or signed-in user id)."),
    k: int = typer.Option(5, "--k", min=1, help="How many items."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Items for a shopper from what they bought and looked at, with a reason each."""
    from ranker.recommender import recommend_for_user

    result = recommend_for_user(user, k)
    if as_json:
        print_json(result)
        return
    if not result["known"]:
        typer.echo(f"{user} has no history here; popular items:")
    for i, r in enumerate(result["recommendations"], start=1):
        typer.echo(f"{i:>2}. {r['title']}  id={r['id']}  ({r['reason']})")
