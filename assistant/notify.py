"""Wake-ups for pages waiting on a conversation: an agent's message, written to the database
first, then announced here, wakes the shopper's waiting page on whichever replica it is.

The database stays the source of truth: a notification carries only the conversation id and
means "look again". Three backends behind one interface:

- ``RedisNotifier`` (``AISLE_REDIS_URL`` set): Redis pub/sub on one channel;
- ``PostgresNotifier`` (the database is PostgreSQL): ``NOTIFY`` / ``LISTEN`` on one channel;
- ``LocalNotifier`` (SQLite): wakes waiters of this process only; pages on other processes
  find new rows by re-reading the database every ``POLL_S`` seconds (the polling fallback).

Each process runs at most one listener thread (started on the first wait) that fans a
notification out to the waiters of that conversation. A lost connection is retried in the
background; meanwhile waiters re-read the database every ``recheck_s`` seconds, so nothing
is lost, only slower. ``publish`` never raises: a message that is stored but not announced
is still found by the next re-read.

    publish(session_id)                       # after the message's transaction committed
    found = wait(session_id, timeout=25.0)    # True when woken, False on timeout
    rows = await wait_for_async(session_id, check, timeout=25.0)   # re-read until rows or timeout
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

CHANNEL = "aisle_messages"
POLL_S = 2.0  # SQLite: how often a waiting page re-reads the database
RECHECK_S = 15.0  # push backends: a re-read now and then, in case a notification was lost
RETRY_S = 2.0  # first wait before reconnecting a listener (doubles up to 30 s)
MAX_ID_CHARS = 200

T = TypeVar("T")


class Subscription:
    """One waiter on one conversation; set by the first notification after it was made."""

    def __init__(self) -> None:
        self._flag = threading.Event()
        self._lock = threading.Lock()
        self._async: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    def fire(self) -> None:
        with self._lock:
            self._flag.set()
            if self._async is not None:
                loop, event = self._async
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(event.set)

    @property
    def fired(self) -> bool:
        return self._flag.is_set()

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when notified."""
        return self._flag.wait(max(0.0, timeout))

    async def wait_async(self, timeout: float) -> bool:
        """The same without holding a thread (for async handlers)."""
        with self._lock:
            if self._flag.is_set():
                return True
            event = asyncio.Event()
            self._async = (asyncio.get_running_loop(), event)
        try:
            await asyncio.wait_for(event.wait(), max(0.0, timeout))
            return True
        except TimeoutError:
            return self._flag.is_set()
        finally:
            with self._lock:
                self._async = None


class _Hub:
    """This process's waiters by conversation id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[Subscription]] = {}

    def add(self, session_id: str) -> Subscription:
        sub = Subscription()
        with self._lock:
            self._waiters.setdefault(session_id, set()).add(sub)
        return sub

    def remove(self, session_id: str, sub: Subscription) -> None:
        with self._lock:
            subs = self._waiters.get(session_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._waiters[session_id]

    def fire(self, session_id: str) -> int:
        with self._lock:
            subs = list(self._waiters.get(session_id, ()))
        for sub in subs:
            sub.fire()
        return len(subs)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._waiters.values())


class LocalNotifier:
    """Wakes waiters of this process; other processes poll the database (SQLite)."""

    name = "polling"
    push = False  # a publish elsewhere does not reach this process
    recheck_s = POLL_S

    def __init__(self) -> None:
        self.hub = _Hub()

    def publish(self, session_id: str) -> None:
        if session_id:
            self.hub.fire(str(session_id)[:MAX_ID_CHARS])

    @contextlib.contextmanager
    def listen(self, session_id: str) -> Iterator[Subscription]:
        """A subscription that catches every notification from now until the block ends."""
        self.start()
        sub = self.hub.add(session_id)
        try:
            yield sub
        finally:
            self.hub.remove(session_id, sub)

    def start(self) -> None:
        """Nothing to start here (the push backends start their listener)."""

    def ready(self, timeout: float = 0.0) -> bool:
        return True

    def close(self) -> None:
        """Nothing to stop here."""


class _PushNotifier(LocalNotifier):
    """A listener thread feeding the hub from a server; subclasses connect and publish."""

    push = True
    recheck_s = RECHECK_S

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def publish(self, session_id: str) -> None:
        if not session_id:
            return
        session_id = str(session_id)[:MAX_ID_CHARS]
        self.hub.fire(session_id)  # this process's waiters at once
        try:
            self._send(session_id)
        except Exception as err:  # noqa: BLE001 - the stored message is found on the next re-read
            logger.warning("%s notification for a conversation not sent: %s", self.name, err)

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name=f"aisle-notify-{self.name}", daemon=True
                )
                self._thread.start()

    def ready(self, timeout: float = 0.0) -> bool:
        """Whether the listener is subscribed (waits up to ``timeout`` s for it)."""
        return self._listening.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = RETRY_S
        while not self._stop.is_set():
            try:
                self._listen_loop()
                delay = RETRY_S
            except Exception as err:  # noqa: BLE001 - reconnect; waiters re-read meanwhile
                self._listening.clear()
                if self._stop.is_set():
                    break
                logger.warning("%s listener lost (%s); retrying in %.0f s", self.name, err, delay)
                self._stop.wait(delay)
                delay = min(30.0, delay * 2)
        self._listening.clear()

    def _send(self, session_id: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _listen_loop(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class PostgresNotifier(_PushNotifier):
    """``NOTIFY aisle_messages, '<session id>'`` / ``LISTEN aisle_messages`` on the database."""

    name = "postgres"

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        from sqlalchemy.engine import make_url

        self.url, self.channel = url, channel
        self.conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )

    def _send(self, session_id: str) -> None:
        from sqlalchemy import text

        from assistant.store.db import get_engine

        with get_engine(self.url).begin() as conn:
            conn.execute(text("SELECT pg_notify(:c, :s)"), {"c": self.channel, "s": session_id})

    def _listen_loop(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listening.set()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    self.hub.fire(note.payload)


class RedisNotifier(_PushNotifier):
    """Redis pub/sub: ``PUBLISH aisle_messages <session id>``, one subscriber per process."""

    name = "redis"

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self.url, self.channel = url, channel
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            try:
                import redis
            except ImportError as err:
                raise RuntimeError(
                    "AISLE_REDIS_URL is set but the redis package is missing: "
                    "pip install 'aisle-assistant[redis]'"
                ) from err
            self._client = redis.Redis.from_url(
                self.url, socket_connect_timeout=5, socket_timeout=5
            )
        return self._client

    def _send(self, session_id: str) -> None:
        self._redis().publish(self.channel, session_id)

    def _listen_loop(self) -> None:
        pubsub = self._redis().pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=1.0)
                if pubsub.subscribed:
                    self._listening.set()
                if message and message.get("type") == "message":
                    data = message["data"]
                    self.hub.fire(data.decode() if isinstance(data, bytes) else str(data))
        finally:
            pubsub.close()


def notifier_for(database_url: str, redis_url: str | None = None) -> LocalNotifier:
    """The backend for these settings: Redis when set, else PostgreSQL, else local polling."""
    if redis_url:
        return RedisNotifier(redis_url)
    if database_url.startswith("postgresql"):
        return PostgresNotifier(database_url)
    return LocalNotifier()


@functools.lru_cache(maxsize=1)
def get_notifier() -> LocalNotifier:
    """This process's notifier, chosen from the settings."""
    from assistant.settings import get_settings

    settings = get_settings()
    notifier = notifier_for(settings.db_url, settings.redis_url)
    logger.info("agent-message notifications: %s", notifier.name)
    return notifier


def publish(session_id: str) -> None:
    """Announce that a conversation has a new stored message (call after the commit)."""
    get_notifier().publish(session_id)


def wait(session_id: str, timeout: float) -> bool:
    """Block up to ``timeout`` s for the next notification on ``session_id``; True when one came."""
    with get_notifier().listen(session_id) as sub:
        return sub.wait(timeout)


def wait_for(session_id: str, check: Callable[[], T], timeout: float) -> T:
    """Call ``check`` (a database read) until it returns something truthy or ``timeout`` s
    pass, re-reading when notified and at least every ``recheck_s`` s. Returns its last value."""
    notifier = get_notifier()
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        with notifier.listen(session_id) as sub:  # subscribed before the read: nothing slips by
            found = check()
            left = deadline - time.monotonic()
            if found or left <= 0:
                return found
            sub.wait(min(left, notifier.recheck_s))


async def wait_for_async(
    session_id: str, check: Callable[[], T], timeout: float,
    run: Callable[[Callable[[], T]], Awaitable[T]] | None = None,
) -> T:  # fmt: skip
    """``wait_for`` for async handlers: ``check`` runs in a worker thread (``run``, default
    Starlette's thread pool), the waiting holds no thread."""
    if run is None:
        from starlette.concurrency import run_in_threadpool as run
    notifier = get_notifier()
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        with notifier.listen(session_id) as sub:
            found = await run(check)
            left = deadline - time.monotonic()
            if found or left <= 0:
                return found
            await sub.wait_async(min(left, notifier.recheck_s))
