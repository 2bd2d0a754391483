"""Sign-in: pbkdf2 hashes checked against hashlib directly, defaults, settings, roles."""

from __future__ import annotations

import hashlib

import pytest

from assistant.errors import UserError
from assistant.settings import Settings
from assistant.staff import auth


def test_hash_matches_hashlib_reference():
    salt = bytes(range(16))
    encoded = auth.hash_password("s3cret", salt=salt, iterations=1000)
    expected = hashlib.pbkdf2_hmac("sha256", b"s3cret", salt, 1000).hex()
    assert encoded == f"pbkdf2_sha256$1000${salt.hex()}${expected}"
    assert auth.verify_password("s3cret", encoded)
    assert not auth.verify_password("s3cret ", encoded)
    assert not auth.verify_password("", encoded)


def test_fresh_salt_each_time():
    a, b = auth.hash_password("x", iterations=10), auth.hash_password("x", iterations=10)
    assert a != b and auth.verify_password("x", a) and auth.verify_password("x", b)


@pytest.mark.parametrize(
    "bad", ["", "plain", "md5$1$00$00", "pbkdf2_sha256$x$00$00", "pbkdf2_sha256$0$00$00"]
)
def test_malformed_hash_never_matches(bad):
    assert not auth.verify_password("anything", bad)


def test_default_credentials(tmp_path):
    settings = Settings(home=tmp_path)
    agent = auth.authenticate("agent", "aisle-agent", settings)
    admin = auth.authenticate("admin", "aisle-admin", settings)
    assert agent == auth.Principal("agent", "agent")
    assert admin == auth.Principal("admin", "admin")
    assert auth.authenticate("agent", "aisle-admin", settings) is None
    assert auth.authenticate("nobody", "aisle-agent", settings) is None
    assert auth.authenticate("", "", settings) is None


def test_credentials_from_settings(tmp_path):
    settings = Settings(
        home=tmp_path,
        agent_user="alice",
        agent_password_hash=auth.hash_password("pw1", iterations=1000),
    )
    assert auth.authenticate("alice", "pw1", settings) == auth.Principal("alice", "agent")
    assert auth.authenticate("agent", "aisle-agent", settings) is None  # default replaced


def test_roles():
    agent, admin = auth.Principal("a", "agent"), auth.Principal("b", "admin")
    assert auth.require(agent, "agent") is agent
    assert auth.require(admin, "agent") is admin
    with pytest.raises(auth.AccessDenied):
        auth.require(agent, "admin")
    with pytest.raises(auth.AccessDenied):
        auth.require(None, "agent")
    with pytest.raises(auth.AccessDenied):
        auth.require({"username": "a", "role": "admin"}, "agent")  # forged dict is not a principal


def test_new_hashes_use_owasp_iterations_and_old_ones_still_verify():
    assert auth.hash_password("a long secret").split("$")[1] == "600000"
    old = auth.hash_password("a long secret", iterations=200_000)  # what the app made before
    assert auth.verify_password("a long secret", old)


def test_default_credentials_are_named(tmp_path):
    assert auth.default_credentials(Settings(home=tmp_path)) == [
        "AISLE_AGENT_PASSWORD_HASH",
        "AISLE_ADMIN_PASSWORD_HASH",
    ]
    # a hash of the default password is still the default
    same = Settings(
        home=tmp_path,
        agent_password_hash=auth.hash_password("a long secret", iterations=1000),
        admin_password_hash=auth.hash_password("aisle-admin", iterations=1000),
    )
    assert auth.default_credentials(same) == ["AISLE_ADMIN_PASSWORD_HASH"]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"])
def test_defaults_only_warn_on_loopback(tmp_path, host):
    assert auth.check_serving(host, Settings(home=tmp_path)) == [
        "AISLE_AGENT_PASSWORD_HASH",
        "AISLE_ADMIN_PASSWORD_HASH",
    ]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "shop.example.com", ""])
def test_defaults_refused_on_any_other_address(tmp_path, host):
    with pytest.raises(UserError, match="refusing to serve .* AISLE_AGENT_PASSWORD_HASH"):
        auth.check_serving(host, Settings(home=tmp_path))
    changed = Settings(
        home=tmp_path,
        agent_password_hash=auth.hash_password("agent secret 1", iterations=1000),
        admin_password_hash=auth.hash_password("admin secret 2", iterations=1000),
    )
    assert auth.check_serving(host, changed) == []
