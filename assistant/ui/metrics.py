"""Prometheus metrics of the web app, served at ``GET /metrics`` (``assistant.ui.ops_routes``).

Every shopper turn — from the chat page, Gradio's ``/chat`` and ``POST /v1/chat`` — is counted
in one place, ``assistant.ui.chat.shopper_turn``, through ``current().observe_turn``.

==========================================  =====================================================
``aisle_turns_total{action,route}``         turns answered, by the action taken and the entry
``aisle_turn_errors_total{route,kind}``     turns that raised: ``kind`` user (bad input) | internal
``aisle_handoffs_total{route}``             turns that handed the conversation to a person
``aisle_turn_latency_seconds{route}``       histogram of the time to answer one turn
``aisle_constraint_violations_total``       candidates breaking the turn's hard filters that the
                                            guard removed before display (read at scrape time)
``aisle_models_loaded``                     1 once the assistant's models are loaded
``aisle_model_info{kind,version,backend}``  the live model version of each kind (dialogue, …)
==========================================  =====================================================

``route`` is ``page`` (the shopper chat page), ``gradio_chat`` (Gradio's ``/chat``) or
``v1_chat`` (``POST /v1/chat``). The metrics live in their own registry (``Metrics.registry``),
not prometheus_client's global one; ``reset()`` starts a fresh set (tests).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from assistant.ui import runtime

logger = logging.getLogger(__name__)

ROUTES = ("page", "gradio_chat", "v1_chat")
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


class LiveCollector(Collector):
    """What is read when Prometheus scrapes: the guard's removals, whether the models are
    loaded, and the live model versions (one small query)."""

    def collect(self) -> Iterator[Any]:
        assistant = runtime.current_assistant()
        violations = CounterMetricFamily(
            "aisle_constraint_violations",
            "Candidates that broke the turn's hard filters and were removed by the guard before "
            "display (products shown in breach are on the dashboard and must stay 0)",
        )
        shopping = getattr(assistant, "shopping", None)
        violations.add_metric([], float(getattr(shopping, "violations", 0) or 0))
        yield violations
        loaded = GaugeMetricFamily(
            "aisle_models_loaded", "1 once the assistant's models are loaded (see /readyz)"
        )
        loaded.add_metric([], 1.0 if runtime.assistant_ready() else 0.0)
        yield loaded
        info = InfoMetricFamily(
            "aisle_model",
            "The live model version of each kind",
            labels=["kind", "version", "backend"],
        )
        for kind, version, backend in live_versions():
            info.add_metric([kind, version, backend], {})
        yield info


def live_versions() -> list[tuple[str, str, str]]:
    """``(kind, version, backend)`` of every live model row; empty when the database fails."""
    from sqlalchemy import select

    from assistant.settings import get_settings
    from assistant.store.db import get_engine, session_scope
    from assistant.store.models import ModelVersion

    settings = get_settings()
    try:
        with session_scope(get_engine(settings.db_url)) as s:
            rows = s.execute(
                select(ModelVersion.kind, ModelVersion.id)
                .where(ModelVersion.status == "live")
                .order_by(ModelVersion.kind)
            ).all()
    except Exception as err:  # a scrape never fails because the database does; /readyz says so
        logger.warning("metrics: could not read the live model versions (%s)", err)
        return []
    backend = settings.dialogue_backend
    return [(kind, version, backend if kind == "dialogue" else "default") for kind, version in rows]


class Metrics:
    """One set of the app's metrics, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter(
            "aisle_turns", "Shopper turns answered", ["action", "route"], registry=r
        )
        self.errors = Counter(
            "aisle_turn_errors",
            "Shopper turns that raised instead of answering (kind: user = bad input, internal)",
            ["route", "kind"],
            registry=r,
        )
        self.handoffs = Counter(
            "aisle_handoffs",
            "Turns that handed the conversation to a person",
            ["route"],
            registry=r,
        )
        self.latency = Histogram(
            "aisle_turn_latency_seconds",
            "Time to answer one shopper turn",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        r.register(LiveCollector())

    def observe_turn(self, route: str, action: str, seconds: float) -> None:
        """One answered turn: counted by action, timed, and a hand-off counted as one."""
        self.turns.labels(action=action, route=route).inc()
        self.latency.labels(route=route).observe(seconds)
        if action == "handoff":
            self.handoffs.labels(route=route).inc()

    def observe_error(self, route: str, kind: str) -> None:
        self.errors.labels(route=route, kind=kind).inc()

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)


_current = Metrics()
_lock = threading.Lock()


def current() -> Metrics:
    return _current


def reset() -> Metrics:
    """Start a fresh set of metrics (tests); returns it."""
    global _current
    with _lock:
        _current = Metrics()
        return _current
