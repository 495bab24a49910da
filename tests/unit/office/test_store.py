"""Accounts, sessions, layer access and the audit trail, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from zkq_geo.errors import AccessError, OptionError
from zkq_geo.office import accounts
from zkq_geo.office.store import SignInRefused

PW = "correct horse 9"


def test_a_user_signs_in_with_the_right_password_only(store):
    store.add_user("root", "li.na", "editor", password=PW, display_name="李娜")
    user, token = store.sign_in("li.na", PW)
    assert (user.name, user.role, user.display_name, user.has_password) == ("li.na", "editor", "李娜", True)
    assert store.session_user(token) == user
    with pytest.raises(SignInRefused, match="user name or the password is wrong"):
        store.sign_in("li.na", PW + "x")
    with pytest.raises(SignInRefused, match="user name or the password is wrong"):  # same words: no probing
        store.sign_in("nobody", PW)
    store.sign_out(token)
    assert store.session_user(token) is None
    assert store.session_user("forged-token") is None


def test_the_password_is_stored_as_an_argon2_hash(store, office_url):
    store.add_user("root", "li.na", "viewer", password=PW)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored


def test_failed_sign_ins_lock_the_account_and_a_new_password_unlocks_it(store):
    store.add_user("root", "li.na", "viewer", password=PW)
    for _ in range(accounts.LOCK_AFTER_FAILURES):
        with pytest.raises(SignInRefused):
            store.sign_in("li.na", "wrong password")
    with pytest.raises(SignInRefused, match="locked"):  # even the right password now
        store.sign_in("li.na", PW)
    store.set_password("root", "li.na", "another good one")
    assert store.sign_in("li.na", "another good one")[0].name == "li.na"


def test_disabled_users_cannot_sign_in_and_lose_their_sessions(store):
    store.add_user("root", "admin1", "admin", password=PW)
    store.add_user("root", "li.na", "viewer", password=PW)
    _, token = store.sign_in("li.na", PW)
    store.set_disabled("admin1", "li.na", True)
    assert store.session_user(token) is None
    with pytest.raises(SignInRefused, match="disabled"):
        store.sign_in("li.na", PW)
    with pytest.raises(OptionError, match="last enabled admin"):
        store.set_disabled("admin1", "admin1", True)


def test_weak_passwords_and_bad_names_are_refused(store):
    with pytest.raises(OptionError, match="at least 10"):
        store.add_user("root", "li.na", "viewer", password="short")
    with pytest.raises(OptionError, match="must not contain the user name"):
        store.add_user("root", "li.na", "viewer", password="li.na-1234567")
    with pytest.raises(OptionError, match="cannot be a user name"):
        store.add_user("root", "../etc", "viewer", password=PW)
    with pytest.raises(OptionError, match="not a role"):
        store.add_user("root", "li.na", "boss", password=PW)
    assert not store.has_users()


def test_an_account_without_password_cannot_sign_in_with_one(store):
    store.add_user("root", "sso.user", "viewer")
    with pytest.raises(SignInRefused):
        store.sign_in("sso.user", "")
    user, token = store.proxy_sign_in("sso.user", source="127.0.0.1")
    assert store.session_user(token) == user


def test_teams_and_claims(store):
    store.add_team("root", "planning")
    store.add_user("root", "li.na", "editor", password=PW, teams_=["planning"])
    assert store.user("li.na").teams == ("planning",)
    first = store.claim_layer("parcels", "li.na", "planning", "team")
    second = store.claim_layer("parcels", "wang.fang", None, "private")  # taken: the first stands
    assert first == second and second.owner == "li.na"
    with pytest.raises(OptionError, match="no team"):
        store.add_user("root", "wang.fang", "editor", password=PW, teams_=["nope"])


def test_every_change_is_in_the_audit_trail_which_cannot_be_edited(store):
    store.add_team("root", "planning")
    store.add_user("root", "li.na", "editor", password=PW, teams_=["planning"])
    store.set_role("root", "li.na", "viewer")
    store.set_password("root", "li.na", "a new password")
    with pytest.raises(SignInRefused):
        store.sign_in("li.na", "wrong password")
    store.sign_in("li.na", "a new password")
    store.record("li.na", "import", "parcels", file_name="地块.zip", file_sha256="ab" * 32, warnings=["w1"])
    actions = [(e.actor, e.action, e.target) for e in store.events()]
    assert actions == [
        ("root", "team_add", "planning"),
        ("root", "user_add", "li.na"),
        ("root", "user_role", "li.na"),
        ("root", "user_passwd", "li.na"),
        ("li.na", "sign_in_failed", "li.na"),
        ("li.na", "sign_in", "li.na"),
        ("li.na", "import", "parcels"),
    ]
    last = store.events()[-1]
    assert (last.file_name, last.file_sha256, last.warnings) == ("地块.zip", "ab" * 32, ("w1",))
    assert [e.action for e in store.events(user="root")][:1] == ["team_add"]
    for statement in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert len(store.events()) == 7


def test_access_error_is_a_permission_error():
    assert issubclass(AccessError, PermissionError)


def test_a_refused_proxy_sign_in_is_in_the_audit_trail_once(store):
    from zkq_geo.office.store import SignInRefused

    store.add_user("setup", "boss", "admin", password="correct horse battery")
    store.set_disabled("boss", "boss", False)
    with pytest.raises(SignInRefused):
        store.proxy_sign_in("nobody", source="proxy 127.0.0.1")
    user, token = store.proxy_sign_in("boss", source="proxy 127.0.0.1")
    assert user.name == "boss" and store.session_user(token).name == "boss"
    actions = [(e.action, e.target) for e in store.events() if e.action.startswith("sign_in")]
    assert actions == [("sign_in_failed", "nobody"), ("sign_in", "boss")]


def test_report_warnings_are_kept_in_both_languages_and_read_in_the_readers(store):
    from zkq_geo.i18n.messages import msg
    from zkq_geo.office.audit import audit_frame

    warning = msg("layer_deleted", name="x", n=1, trash="trash/x")
    store.record("li", "import", "x", warnings=[warning, "plain text"])
    [event] = [e for e in store.events() if e.action == "import"]
    assert event.warnings[0] == {"en": warning.text("en"), "zh": warning.text("zh")}
    zh = audit_frame([event], "zh").iloc[0]["报告中的警告"]
    en = audit_frame([event], "en").iloc[0].iloc[7]
    assert zh == warning.text("zh") + "；plain text" and en == warning.text("en") + "; plain text"
