"""``Assistant``: one shopper turn through the whole pipeline (DESIGN.md "Data flow of one turn").

1. load the session and its dialogue state; 2. understand (the session's model version,
with the previous assistant action as context); 3.-6. update the state, plan, execute and
write a grounded reply (``assistant.dialogue.actions``); 7. persist both messages, the
state, the plan, the products shown with their scores, the model version and the latency.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.core.device import set_threads
from assistant.dialogue.actions import Outcome, TurnRunner
from assistant.dialogue.refine import price_bounds
from assistant.dialogue.safety import CleanMessage, clean_message, for_understanding
from assistant.dialogue.shopping import ShoppingEngine
from assistant.dialogue.state import DialogueState
from assistant.errors import UserError
from assistant.experiments import assign_model_version
from assistant.nlu.types import Understanding
from assistant.settings import Settings, get_settings
from assistant.store.db import get_engine, session_factory, write_scope
from assistant.store.db import is_busy as _busy
from assistant.store.models import USER_ID_CHARS as MAX_USER_ID_CHARS
from assistant.store.models import ChatSession, InteractionEvent, Message
from assistant.types import TurnResult
from assistant.verify import CodeSender, Verifier, redact_for_storage
from retrieval.catalog.schema import MAX_ATTRIBUTE_VALUE_CHARS, MAX_ATTRIBUTES

logger = logging.getLogger(__name__)
_WRITE_ATTEMPTS = 3

EVENT_KINDS = frozenset({"view", "click", "add_to_cart", "purchase", "more_like_this", "not_for_me"})
WAITING_TEXT = "A person from our team has joined this conversation and will answer you here."
EXPIRED_VERIFICATION_TEXT = "For your security, your verification ended after a while without messages. "
FAILED_TEXT = ("Sorry, something went wrong on my side with that message. Could you put it another way? "
               "Or say \"talk to a person\" and someone from our team will help.")


class Assistant:
    """The service layer the CLI, the app and the ``/chat`` API call.

    Cheap constructor; ``warm_up()`` loads the dialogue model, the search index, the
    ranker and the policy index (otherwise the first turn does).

    Args:
        settings: defaults to ``get_settings()``.
        model: a dialogue model to use for every session instead of the registry's
            (tests and benchmarks pass the one they trained).
        sender: where one-time verification codes go (``assistant.verify.senders``); default
            SMTP when ``AISLE_SMTP_HOST`` is set, else the app log.
        clock: Unix seconds; verified status ends ``verified_idle_minutes`` after the last
            turn of the verified shopper by this clock (tests move it).
    """

    def __init__(self, settings: Settings | None = None, *, model: Any | None = None,
                 sender: CodeSender | None = None, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings or get_settings()
        self.clock = clock
        self.verifier = Verifier(self.settings, sender)
        self._fixed_model = model
        self.engine = get_engine(self.settings.db_url)
        self.shopping = ShoppingEngine(self.settings)
        self._policy = None
        self._models: dict[str | None, Any] = {}
        self._lock = threading.Lock()
        self._indexes_loaded = False
        self.warm = False  # True once ``warm_up`` has loaded every model (the app's /readyz)

    # ------------------------------------------------------------------ loading
    @property
    def policy(self):
        if self._policy is None:
            from retrieval.policy import PolicyIndex

            self._policy = PolicyIndex(self.settings)
        return self._policy

    def warm_up(self) -> Assistant:
        set_threads(self.settings.torch_threads)
        self.model_for(None)
        self.shopping.warm_up()
        self.policy.warm_up()
        self.warm = True
        return self

    def model_for(self, version: str | None):
        """The dialogue model of ``version`` (``None`` = the live one, which may change), loaded once."""
        if self._fixed_model is not None:
            return self._fixed_model
        if self.settings.dialogue_backend != "default":
            # A generative backend (hf | openai) serves every session; it falls back to
            # the live default model per utterance on invalid output. Built once.
            with self._lock:
                if "generative" not in self._models:
                    from assistant.nlu.generative import load_understander

                    self._models["generative"] = load_understander(self.settings)
                return self._models["generative"]
        if version is None:
            from assistant.nlu import registry

            return registry.load_live_model(self.settings)
        with self._lock:
            if version not in self._models:
                self._models[version] = self._load_model(version)
            return self._models[version]

    def _load_model(self, version: str | None):
        from assistant.nlu import registry

        if version is not None:
            try:
                return registry.load_version(version, self.settings)
            except UserError as err:
                logger.warning("model version %s unavailable (%s); using the live model", version, err)
        return registry.load_live_model(self.settings)

    # ------------------------------------------------------------------ public API
    def turn(
        self, message: str, session_id: str | None = None, user_id: str | None = None,
        diversity: float | None = None, client: str | None = None,
    ) -> TurnResult:
        """One shopper message through the pipeline; everything is persisted.

        ``diversity`` (0..1, the app's "similar / varied" control) overrides the ranking
        diversity of the session from this turn on; ``None`` keeps the session's own.
        ``client`` (the caller's address, ``"local"`` for the CLI) keys the verification
        back-off across conversations; ``None`` leaves only the per-conversation limits.
        """
        start = time.perf_counter()
        clean = clean_message(message, self.settings.max_message_chars)
        if session_id is not None and (not session_id.strip() or len(session_id) > 64):
            raise UserError("session id must be 1 to 64 characters")
        if user_id is not None and (not isinstance(user_id, str) or len(user_id) > MAX_USER_ID_CHARS):
            raise UserError(f"user id must be text of at most {MAX_USER_ID_CHARS} characters")
        if session_id is not None and not session_id.isprintable():
            raise UserError("session id must be printable text")  # no control or surrogate characters
        # Models run outside any transaction: read the session, understand, then write in a
        # short transaction that holds the session (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
        # row locked), re-understanding only when another turn changed the state meanwhile.
        session_id = session_id or uuid.uuid4().hex
        seen = self._peek(session_id)
        u = self._understand_outside(seen, clean)
        self._warm_for_turn()
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                with write_scope(self.engine) as db:
                    return self._write_turn(db, session_id, user_id, diversity, clean, seen, u, start, client)
            except OperationalError as err:  # SQLite still busy after its timeout: try again, then give up
                if not _busy(err) or attempt == _WRITE_ATTEMPTS - 1:
                    raise
                logger.warning("database busy on a turn of session %s; retrying", session_id)
                time.sleep(0.05 * (attempt + 1))
            except IntegrityError:  # two first turns created the same session id at once
                if attempt == _WRITE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _peek(self, session_id: str) -> tuple[str | None, dict[str, Any] | None, str]:
        """(model version, state, mode) of a session as it is now, read without a lock; a new
        session gets the version it will be assigned."""
        with session_factory(self.engine)() as db:
            chat = db.get(ChatSession, session_id)
            if chat is None:
                return self._assign_version(db, session_id), None, "bot"
            return chat.model_version, dict(chat.state or {}), chat.mode

    def _understand_outside(self, seen, clean: CleanMessage) -> Understanding | None:
        version, state, mode = seen
        if mode != "bot":
            return None
        holder = ChatSession(id="-", model_version=version)
        return self._understand(holder, DialogueState.from_json(state or {}), clean)

    def _warm_for_turn(self) -> None:
        """The search index and the policy load before the first write transaction, not inside it
        (a later catalogue version is still picked up inside a turn, as a rare slow one)."""
        if not self._indexes_loaded:
            self.shopping.search_service.warm_up()
            self.policy.warm_up()
            self._indexes_loaded = True

    def _write_turn(self, db, session_id, user_id, diversity, clean, seen, u, start, client=None) -> TurnResult:
        chat = self._session(db, session_id, user_id)
        state = DialogueState.from_json(chat.state)
        # a one-time code the shopper types is never stored (nor the slots read from it)
        user_message = Message(session_id=chat.id, role="user", text=redact_for_storage(chat.state, clean.text))
        db.add(user_message)
        if chat.mode != "bot":  # an agent took over: the bot stays silent
            db.flush()
            return TurnResult(
                session_id=chat.id, message_id=int(user_message.id), reply=WAITING_TEXT,
                intent="out_of_scope", confidence=0.0, action="waiting_for_agent", handoff=bool(chat.handoff),
            )
        if diversity is not None:
            state.diversity = state.preferred_diversity = min(1.0, max(0.0, float(diversity)))
        now = self.clock()
        expired = _expire_verification(state, now, self.settings.verified_idle_minutes * 60.0)
        if u is None or (chat.state or {}) != (seen[1] or {}) or chat.model_version != seen[0]:
            u = self._understand(chat, state, clean)  # another turn moved the conversation on
        try:
            runner = TurnRunner(self.settings, self.shopping, self.policy, self.verifier.for_turn(client))
            outcome = runner.run(db, chat, state, clean, u)
        except SQLAlchemyError:
            raise  # the store itself failed: nothing of this turn is written
        except Exception:  # a defect in understanding one message never crashes the turn
            logger.exception("turn failed in session %s; the previous state is kept", chat.id)
            state = DialogueState.from_json(chat.state)
            outcome = Outcome(FAILED_TEXT, "clarify", plan={"error": "turn failed"})
            expired = _expire_verification(state, now, self.settings.verified_idle_minutes * 60.0)
        if expired and outcome.action == "ask_auth":
            outcome = dataclasses.replace(outcome, reply=EXPIRED_VERIFICATION_TEXT + outcome.reply)
        if state.customer_id is not None:
            state.verify = {**(state.verify or {}), "seen": now}
        saved_slots = redact_for_storage(chat.state, _jsonable(u.slots))
        state.last_action = outcome.action
        state.last_reply = outcome.reply[:300]
        state.turns += 1
        chat.state = bound_products(state.to_json(), _STATE_PRODUCT_LISTS)
        chat.handoff = bool(chat.handoff or outcome.handoff)
        latency = (time.perf_counter() - start) * 1000.0
        shown = bound_products(_jsonable(outcome.products))
        reply = Message(
            session_id=chat.id, role="assistant", text=outcome.reply, intent=u.intent, confidence=float(u.confidence),
            slots=saved_slots, plan={**_jsonable(outcome.plan), "understood_by": u.understood_by},
            products=shown, model_version=u.model_version or chat.model_version,
            latency_ms=latency,
        )
        db.add(reply)
        db.flush()
        return TurnResult(
            session_id=chat.id, message_id=int(reply.id), reply=outcome.reply, intent=u.intent,
            confidence=round(float(u.confidence), 4), slots=saved_slots, action=outcome.action,
            products=shown, handoff=bool(chat.handoff), understood_by=u.understood_by,
        )

    def draft_reply(self, session_id: str) -> TurnResult:
        """What the bot would answer to the latest shopper message; nothing is persisted or written."""
        factory = session_factory(self.engine)
        with factory() as db:
            try:
                chat = db.get(ChatSession, session_id)
                if chat is None:
                    raise UserError(f"conversation {session_id!r} not found")
                last = db.scalars(
                    select(Message).where(Message.session_id == session_id, Message.role == "user")
                    .order_by(Message.id.desc()).limit(1)
                ).first()
                if last is None:
                    raise UserError(f"conversation {session_id!r} has no shopper message to answer")
                clean = clean_message(last.text, self.settings.max_message_chars)
                state = DialogueState.from_json(chat.state)
                u = self._understand(chat, state, clean)
                runner = TurnRunner(self.settings, self.shopping, self.policy,
                                    self.verifier.for_turn(None, dry_run=True))  # a draft sends no code
                outcome = runner.run(db, chat, state, clean, u, dry_run=True)
                return TurnResult(
                    session_id=session_id, message_id=int(last.id), reply=outcome.reply, intent=u.intent,
                    confidence=round(float(u.confidence), 4), slots=_jsonable(u.slots),
                    action=outcome.action, products=outcome.products, handoff=bool(outcome.handoff),
                    understood_by=u.understood_by,
                )
            finally:
                db.rollback()

    def record_event(self, session_id: str | None, product_id: str, kind: str) -> None:
        """Store a click / view / cart / purchase / feedback event on a product."""
        if kind not in EVENT_KINDS:
            raise UserError(f"event kind {kind!r} unknown; use one of {', '.join(sorted(EVENT_KINDS))}")
        with write_scope(self.engine) as db:
            chat = db.get(ChatSession, session_id, with_for_update=True) if session_id else None
            if session_id and chat is None:
                raise UserError(f"conversation {session_id!r} not found")
            db.add(InteractionEvent(session_id=session_id, user_id=chat.user_id if chat else None,
                                    product_id=str(product_id), kind=kind))
            if chat is not None and kind == "not_for_me":
                state = DialogueState.from_json(chat.state)
                if product_id not in state.exclude_ids:
                    state.exclude_ids.append(str(product_id))
                chat.state = state.to_json()

    # ------------------------------------------------------------------ steps
    def _session(self, db: Session, session_id: str | None, user_id: str | None) -> ChatSession:
        chat = db.get(ChatSession, session_id, with_for_update=True) if session_id else None
        if chat is None:
            chat = ChatSession(id=session_id or uuid.uuid4().hex, user_id=user_id, state={}, mode="bot", handoff=False)
            db.add(chat)
            db.flush()
            chat.model_version = self._assign_version(db, chat.id)
        elif user_id and not chat.user_id:
            chat.user_id = user_id
        return chat

    def _assign_version(self, db: Session, session_id: str) -> str | None:
        return assign_model_version(db, session_id, self.settings)

    def _understand(self, chat: ChatSession, state: DialogueState, clean: CleanMessage) -> Understanding:
        if clean.empty or clean.injection:
            return Understanding(intent="out_of_scope", confidence=0.0, model_version=chat.model_version)
        model = self.model_for(chat.model_version)
        # context: the previous assistant reply (what the model was trained with)
        u = model.predict([for_understanding(clean.read)], contexts=[state.last_reply or None])[0]
        return _exact_prices(u, clean.read)


def _expire_verification(state: DialogueState, now: float, idle_s: float) -> bool:
    """End a verification idle for more than ``idle_s`` (by ``state.verify["seen"]``, the
    verified shopper's latest turn): the account, a listed change waiting for a yes and the
    details typed so far are forgotten, the counts of codes and failures kept. True when it
    ended one."""
    record = state.verify or {}
    if state.customer_id is None or now - float(record.get("seen", now)) <= idle_s:
        return False
    state.customer_id = None
    state.pending = None
    state.auth = {}
    state.verify = {k: v for k, v in record.items() if k in ("issued", "failed")}
    return True


def _exact_prices(u: Understanding, text: str) -> Understanding:
    """Explicit price phrases ("under 60", "between 20 and 30") override the model's price slots."""
    lo, hi = price_bounds(text)
    if lo is None and hi is None:
        return u
    slots = {k: v for k, v in u.slots.items() if k not in ("price_min", "price_max")}
    slots.update({k: v for k, v in (("price_min", lo), ("price_max", hi)) if v is not None})
    return dataclasses.replace(u, slots=slots)


_STATE_PRODUCT_LISTS = ("last_shown", "earlier", "cart")


def bound_products(value: Any, lists: tuple[str, ...] = ()) -> Any:
    """Products as they are saved (the dialogue state's lists named in ``lists``, or a list of
    products): every text inside a product cut to ``MAX_ATTRIBUTE_VALUE_CHARS`` and every
    dict or list to ``MAX_ATTRIBUTES`` entries, the catalogue import's caps, so a product
    stored before those caps (or written by other means) with a 2 MB attribute does not make
    a 2 MB state row at every turn."""
    if lists and isinstance(value, dict):
        return {k: bound_products(v) if k in lists else v for k, v in value.items()}
    if isinstance(value, list):  # every product is kept; what is inside each is bounded
        return [_bounded(v) for v in value]
    return _bounded(value)


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= MAX_ATTRIBUTE_VALUE_CHARS else value[: MAX_ATTRIBUTE_VALUE_CHARS - 1] + "…"
    if isinstance(value, dict):
        return {str(k)[:MAX_ATTRIBUTE_VALUE_CHARS]: _bounded(v) for k, v in list(value.items())[:MAX_ATTRIBUTES]}
    if isinstance(value, list | tuple):
        return [_bounded(v) for v in list(value)[:MAX_ATTRIBUTES]]
    return value


def _jsonable(value: Any) -> Any:
    """Plain JSON (numpy numbers and tuples become floats and lists)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
