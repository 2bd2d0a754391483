"""Staff sessions (idle and absolute expiry), the sign-in throttle (lockout with back-off)
and export files, on a fake clock."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from assistant.staff import StaffAccess
from assistant.staff.auth import AccessDenied, Principal
from assistant.staff.exports import ExportFiles
from assistant.staff.lockout import BackOff, SignInThrottle
from assistant.staff.sessions import SessionTable, token_key

ADMIN = Principal("admin", "admin")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock():
    return Clock()


def test_session_idle_expiry_and_touch(clock):
    table = SessionTable(idle_s=60, max_age_s=3600, clock=clock)
    token = table.create(ADMIN, "1.2.3.4")
    assert len(token) >= 40 and token_key(token) != token
    assert token not in repr(table._rows)  # the table keeps only the digest
    clock.now += 50
    assert table.get(token).principal == ADMIN  # used: idle clock restarts
    clock.now += 50
    assert table.get(token, touch=False) is not None
    clock.now += 50  # a timer's look-ups (touch=False) did not keep it alive
    assert table.get(token) is None and len(table) == 0


def test_session_absolute_expiry_revoke_and_unknown_tokens(clock):
    table = SessionTable(idle_s=60, max_age_s=120, clock=clock)
    token = table.create(ADMIN)
    for _ in range(4):
        clock.now += 40
        table.get(token)
    assert table.get(token) is None  # busy, but past its maximum age
    other = table.create(ADMIN)
    table.revoke(other)
    assert table.get(other) is None
    assert table.get(None) is None and table.get("") is None and table.get("x" * 500) is None


def test_lockout_back_off_and_cap(clock):
    throttle = SignInThrottle(per_user=BackOff(free=5, base_s=30, cap_s=900), clock=clock)
    waits = [throttle.failed("Admin", "1.2.3.4") for _ in range(5)]
    assert waits == [0, 0, 0, 0, 30]
    assert throttle.retry_after("admin", "1.2.3.4") == 30  # user names compare case-blind
    assert throttle.retry_after("admin", "5.6.7.8") == 0  # another client is not locked out
    assert throttle.failed("admin", "1.2.3.4") == 60  # each further failure doubles it
    assert throttle.failed("admin", "1.2.3.4") == 120
    for _ in range(10):
        throttle.failed("admin", "1.2.3.4")
    assert throttle.retry_after("admin", "1.2.3.4") == 900  # capped
    clock.now += 901
    assert throttle.retry_after("admin", "1.2.3.4") == 0
    throttle.succeeded("admin", "1.2.3.4")
    assert throttle.failed("admin", "1.2.3.4") == 0  # a success starts the count again


def test_one_client_trying_many_names_is_slowed(clock):
    throttle = SignInThrottle(per_client=BackOff(free=20, base_s=30), clock=clock)
    for i in range(19):
        assert throttle.failed(f"user{i}", "9.9.9.9") == 0
    assert throttle.failed("user19", "9.9.9.9") == 30
    assert throttle.retry_after("someone-new", "9.9.9.9") == 30


def test_failures_are_forgotten_after_a_quiet_hour(clock):
    throttle = SignInThrottle(forget_s=3600, clock=clock)
    for _ in range(4):
        throttle.failed("agent", "c")
    clock.now += 3601
    assert throttle.failed("agent", "c") == 0


def settings(tmp_path, **kw):
    from assistant.staff.auth import hash_password

    return Settings(
        home=tmp_path,
        agent_password_hash=hash_password("right password", iterations=1000),
        **kw,
    )


def test_thirty_wrong_then_right_is_refused(tmp_path, clock):
    staff = StaffAccess(settings(tmp_path), clock=clock)
    for _ in range(30):
        assert staff.sign_in("agent", "wrong", "1.2.3.4").token is None
    locked = staff.sign_in("agent", "right password", "1.2.3.4")
    assert locked.token is None and locked.principal is None and locked.retry_after > 0
    clock.now += locked.retry_after + 1
    ok = staff.sign_in("agent", "right password", "1.2.3.4")
    assert ok.principal == Principal("agent", "agent")
    assert staff.session(ok.token).principal == ok.principal
    with pytest.raises(AccessDenied, match="admin"):
        staff.session(ok.token, "admin")


def test_idle_minutes_come_from_settings(tmp_path, clock):
    staff = StaffAccess(settings(tmp_path, staff_idle_minutes=5), clock=clock)
    token = staff.sign_in("agent", "right password", "c").token
    clock.now += 4 * 60
    assert staff.session(token)
    clock.now += 5 * 60 + 1
    with pytest.raises(AccessDenied):
        staff.session(token)


def test_export_files_once_for_their_owner_then_gone(tmp_path, clock):
    exports = ExportFiles(tmp_path / "exports", ttl_s=600, clock=clock)
    path = exports.new_path("sft")
    assert path.parent == tmp_path / "exports"
    path.write_text("{}\n")
    token = exports.register(path, owner="session-a")
    assert exports.take(token, "session-b") is None  # another session: nothing
    assert exports.take(token, "session-a") == path
    assert exports.take(token, "session-a") is None  # spent
    late = exports.new_path("dpo")
    late.write_text("{}\n")
    exports.register(late, owner="session-a")
    clock.now += 601
    assert len(exports) == 0 and not late.exists()  # expired: the file is removed
    left = exports.new_path("intents")
    left.write_text("{}\n")
    exports.clear()  # start-up
    assert list((tmp_path / "exports").iterdir()) == []  # start-up removes every export
