"""``aisle train dialogue``. ``train llm`` and ``model`` live in model_cmds."""

from __future__ import annotations

import typer

from assistant.cli import app

train_app = typer.Typer(help="Train models.", no_args_is_help=True)
app.add_typer(train_app, name="train")


def _feedback_examples() -> list:
    """Corrected / confirmed utterances from stored feedback, scrubbed."""
    from assistant.feedback import feedback_training_examples

    return list(feedback_training_examples())


@train_app.command("dialogue")
def train_dialogue(
    from_feedback: bool = typer.Option(
        False, "--from-feedback", help="Add corrected/confirmed utterances from feedback."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Train a new dialogue model version; promote it only if not worse."""
    from assistant.cli.output import print_json
    from assistant.nlu.training import train_dialogue as run

    extra = _feedback_examples() if from_feedback else []
    result = run(extra_examples=extra, progress=True)
    if as_json:
        print_json(result.to_dict())
        return
    cand, live = result.metrics["candidate"], result.metrics["live"]
    typer.echo(
        f"version {result.version}: macro-F1 {cand['macro_f1']:.4f}, accuracy {cand['accuracy']:.4f}"
    )
    if live:
        typer.echo(f"live {live.get('version')}: macro-F1 {live['macro_f1']:.4f}")
    typer.echo("promoted" if result.promoted else "not promoted (worse than the live version)")
