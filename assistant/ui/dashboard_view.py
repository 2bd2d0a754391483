"""Event handlers of the store-owner dashboard: admins only, checked on the server from
the request's staff cookie (``assistant.staff``) in every handler."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import gradio as gr

from assistant import jobs
from assistant.errors import UserError
from assistant.staff import dashboard, get_staff
from assistant.staff.auth import Principal
from assistant.staff.exports import remove
from assistant.store.db import session_scope
from assistant.ui.agent_view import panels, signed_in

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("sft", "dpo", "intents")


DASH_OUTPUTS = 10  # what ``refresh`` returns


def _admin(request: Any) -> Principal:
    return signed_in(request, "admin").principal


def on_load(days: float, request: gr.Request) -> tuple[Any, ...]:
    """Page load. Returns: sign-in column, workspace column, status, then ``refresh``'s outputs."""
    form, workspace, status, ok = panels(request, "admin")
    if not ok:
        return form, workspace, status, *[gr.skip()] * DASH_OUTPUTS
    return (form, workspace, status, *refresh(days, request))


def refresh(days: float, request: gr.Request) -> tuple[Any, ...]:
    """Returns: summary Markdown, conversations, thumbs-up rate, handoff rate, top intents,
    zero-result searches, constraint violations, latency, model versions, version choices."""
    _admin(request)
    days = max(1, min(365, int(days or 30)))
    with session_scope() as s:
        head = dashboard.summary(s, days)
        frames = (
            dashboard.conversations_over_time(s, days),
            dashboard.thumbs_up_rate(s, days),
            dashboard.handoff_rate(s, days),
            dashboard.top_intents(s, days),
            dashboard.zero_result_searches(s, days),
            dashboard.constraint_violations(s, days),
            dashboard.latency(s, days),
        )
        versions = dashboard.model_versions(s)
    rate = "n/a" if head["thumbs_up_rate"] is None else f"{head['thumbs_up_rate']:.0%}"
    flag = "(OK)" if head["constraint_violations"] == 0 else "(ALERT)"
    text = (
        f"**Last {days} days** — conversations: **{head['conversations']}** · "
        f"ratings: **{head['ratings']}** (thumbs up {rate}) · "
        f"constraint violations: **{head['constraint_violations']}** {flag} (must stay 0)"
    )
    choices = [v for v in versions["version"].tolist()] if len(versions) else []
    return (text, *frames, versions, gr.update(choices=choices))


def export(fmt: str, request: gr.Request) -> tuple[Any, str]:
    """Export training data (personal data scrubbed) under ``<home>/exports``, downloadable
    once by this admin session through ``/staff/exports/<token>``. Returns: link, status."""
    session = signed_in(request, "admin")
    from assistant.feedback import export_feedback

    if fmt not in EXPORT_FORMATS:
        raise gr.Error(f"format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    exports = get_staff().exports
    path = exports.new_path(fmt)
    try:
        with session_scope() as s:
            report = export_feedback(s, fmt, path)
    except UserError as err:
        remove(path)
        raise gr.Error(str(err)) from err
    token = exports.register(path, session.key)
    minutes = round(exports.ttl_s / 60)
    link = (
        f'<a href="/staff/exports/{token}" download="{path.name}" id="export-link">'
        f"Download {path.name}</a> (one download, within {minutes} minutes)"
    )
    records = getattr(report, "records", None)
    return gr.update(value=link, visible=True), f"Exported {records} {fmt} records."


def _as_dict(obj: Any) -> Any:
    """A JSON-safe view of an action's result (dataclasses, paths, datetimes)."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    return json.loads(json.dumps(obj, default=str))


RETRAIN = "retrain"  # the job kind (assistant.jobs): one runs at a time across replicas


def _retrain(started_by: str) -> dict[str, Any]:
    """The job's work; an exception is recorded on the job row, the live model is untouched."""
    from assistant.feedback import training_examples
    from assistant.nlu.training import train_dialogue

    with session_scope() as s:
        examples = training_examples(s)
    logger.info("retraining with %d feedback examples (started by %s)", len(examples), started_by)
    result = train_dialogue(extra_examples=examples, progress=False)
    return {"feedback_examples": len(examples), **(_as_dict(result) or {})}


def retrain(request: gr.Request) -> dict[str, Any]:
    """Start training a new dialogue model with the feedback examples (in the background:
    minutes on a CPU). It is promoted only if it is not worse than the live one. While one
    runs, on this replica or another, a click shows that one instead of starting another."""
    who = _admin(request)
    job, _ = jobs.run_in_background(RETRAIN, who.username, lambda: _retrain(who.username))
    return job.status_dict()


def retrain_status(request: gr.Request) -> dict[str, Any]:
    _admin(request)
    job = jobs.latest(RETRAIN)
    return job.status_dict() if job is not None else {"state": "idle"}


def promote(version: str | None, request: gr.Request) -> dict[str, Any]:
    _admin(request)
    from assistant.nlu import registry

    if not version:
        raise gr.Error("Pick a model version to promote.")
    try:
        result = registry.promote(version)
    except UserError as err:
        raise gr.Error(str(err)) from err
    return {"promoted": version, "result": _as_dict(result)}


def rollback(request: gr.Request) -> dict[str, Any]:
    _admin(request)
    from assistant.nlu import registry

    try:
        result = registry.rollback()
    except UserError as err:
        raise gr.Error(str(err)) from err
    return {"rolled_back": True, "result": _as_dict(result)}
