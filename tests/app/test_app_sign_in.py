"""The script side of signing in: no session, no app (only a link to the sign-in page); a
signed-in user is named in the sidebar with a sign-out link."""

from __future__ import annotations

import pytest
from apppages import APP
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fresh_caches")


def run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def only_the_sign_in_link(at: AppTest) -> None:
    assert [m.value for m in at.markdown] == ["[请登录](/signin)"]
    assert not at.sidebar.radio and not at.sidebar.multiselect and not at.dataframe and not at.button
    assert not at.get("iframe") and not at.get("download_button")


def test_no_cookie_shows_only_the_sign_in_link(signed_in):
    signed_in.sign_in_app(None)
    only_the_sign_in_link(run())


@pytest.mark.parametrize("token", ["not-a-session", "x" * 500, ""])
def test_an_unknown_cookie_is_no_user(signed_in, monkeypatch, token):
    import streamlit.runtime.context as context

    signed_in.sign_in_app("guanli")
    client = context._get_client_context()
    monkeypatch.setattr(client, "cookies", {"zkq_session": token})
    only_the_sign_in_link(run())


def test_a_signed_out_or_disabled_session_is_no_user(signed_in):
    signed_in.add("lisi", "viewer", display_name="李四")
    token = signed_in.sign_in_app("lisi")
    assert "已登录：李四（查看者）" in [c.value for c in run().sidebar.caption]
    signed_in.store.sign_out(token)
    only_the_sign_in_link(run())
    signed_in.sign_in_app("lisi")
    signed_in.store.set_disabled("guanli", "lisi", True)
    only_the_sign_in_link(run())


def test_the_sidebar_names_the_user_and_offers_sign_out(signed_in):
    at = run()
    assert "已登录：管理员小王（管理员）" in [c.value for c in at.sidebar.caption]
    assert "[退出登录](/signout)" in [m.value for m in at.sidebar.markdown]
    at.radio(key="lang").set_value("en").run()
    assert "Signed in: 管理员小王 (admin)" in [c.value for c in at.sidebar.caption]
