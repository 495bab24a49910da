"""The shared office in a real browser: who sees what, the admin's delete and restore, the audit.

An office of an admin, three editors (two in team ``plan``) and a viewer; the editors' layers are
private, shared with the team, or shared with everyone. Each user signs in through the sign-in
form of the real server (app/server.py) and the page is read as the planner sees it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import urllib.error
import urllib.request

import pytest

from zkq_geo.office.backends import open_workspace
from zkq_geo.office.store import office_store
from zkq_geo.office.userspace import UserWorkspace

PASSWORD = "office-Passw0rd-test"
TARGET = "对象（图层或账号）"  # the audit CSV's column of the layer or account
USERS = {  # name: (role, teams)
    "boss": ("admin", ()),
    "ed_a": ("editor", ("plan",)),
    "ed_b": ("editor", ("plan",)),
    "ed_c": ("editor", ()),
    "viewer": ("viewer", ()),
}
LAYERS = {  # layer: (owner, visibility, title)
    "secret_a": ("ed_a", "private", "机密地块甲"),
    "team_a": ("ed_a", "team", "科室地块甲"),
    "open_c": ("ed_c", "everyone", "公开地块丙"),
}
SEES = {  # what each user may see of LAYERS
    "boss": {"secret_a", "team_a", "open_c"},
    "ed_a": {"secret_a", "team_a", "open_c"},
    "ed_b": {"team_a", "open_c"},
    "ed_c": {"open_c"},
    "viewer": {"open_c"},
}


def _csv(path, title: str, i: int):
    path.write_text(f"name,lon,lat\n{title},{113.74 + i / 100},34.72\n", encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path):
    """The seeded workspace (folder, or the PostGIS pass's $ZKQ_DATABASE_URL); returns (root,
    {layer: sha256 of its file})."""
    root = tmp_path / "ws"
    store = office_store(root)
    store.add_user("setup", "boss", "admin", password=PASSWORD)
    store.add_team("boss", "plan")
    for name, (role, teams) in USERS.items():
        if name != "boss":
            store.add_user("boss", name, role, password=PASSWORD, teams_=teams)
    workspace = open_workspace(root)  # the folder, or the PostGIS pass's database
    digests = {}
    for i, (layer, (owner, visibility, title)) in enumerate(LAYERS.items()):
        path = _csv(tmp_path / f"{layer}.csv", title, i)
        team = "plan" if visibility == "team" else None
        UserWorkspace(workspace, store, store.user(owner)).import_file(
            path, layer, visibility=visibility, team=team, title=title
        )
        digests[layer] = hashlib.sha256(path.read_bytes()).hexdigest()
    return root, digests


@pytest.fixture
def office_url(office, served_app):
    root, _ = office
    return served_app("app/streamlit_app.py", env={"ZKQ_WORKSPACE": str(root)})


def sign_in(page, base_url: str, name: str, map_frame=None):
    page.goto(base_url + "/signin")
    page.fill("#user", name)
    page.fill("#password", PASSWORD)
    page.click("#signin")
    page.wait_for_url(re.compile(r"^(?!.*signin).*$"))
    if map_frame is not None:
        map_frame(page)


def titles_seen(page) -> set[str]:
    text = page.inner_text("body")
    return {layer for layer, (_, _, title) in LAYERS.items() if title in text}


@pytest.mark.browser
def test_without_a_session_every_path_shows_only_the_sign_in_page(office_url, browser):
    for path in ("/", "/?page=import", "/app/static/icon.png", "/tiles/secret_a/1/14/13381/6477.pbf"):
        try:
            with urllib.request.urlopen(office_url + path, timeout=10) as reply:
                body = reply.read().decode("utf-8", "replace")
                final = reply.geturl()
        except urllib.error.HTTPError as exc:
            assert exc.code in (401, 403, 404), (path, exc.code)
            continue
        assert "/signin" in final and 'id="signin"' in body, path
        assert "机密地块甲" not in body and "streamlit" not in body.lower(), path
    context = browser.new_context()
    page = context.new_page()
    page.goto(office_url + "/")
    assert "/signin" in page.url and page.locator("#password").count() == 1
    assert page.locator("[data-testid=stApp]").count() == 0
    context.close()


@pytest.mark.browser
def test_twenty_sessions_at_once_each_see_only_what_they_may(office_url, browser, map_frame, save_screenshot):
    names = list(USERS) * 4  # 20 sessions, four per user, all open at the same time
    pages = []
    for name in names:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(90_000)
        sign_in(page, office_url, name)
        pages.append((name, context, page))
    try:
        for name, _, page in pages:
            map_frame(page, timeout_ms=120_000)
            page.wait_for_function(
                "t => document.body.innerText.includes(t)", arg=LAYERS["open_c"][2], timeout=90_000
            )
            assert titles_seen(page) == SEES[name], name
        save_screenshot(pages[0][2], "office_admin_map", full_page=False)
    finally:
        for _, context, _ in pages:
            context.close()


def _can_see(root, user: str, layer: str) -> bool:
    store = office_store(root)
    return layer in UserWorkspace(open_workspace(root), store, store.user(user)).visible_names()


def _click_tab(page, word: str) -> None:
    page.get_by_role("tab", name=word).click()


@pytest.mark.browser
def test_admin_deletes_and_restores_a_private_layer_and_the_audit_has_every_step(
    office, office_url, browser, map_frame, save_screenshot, tmp_path
):
    root, digests = office
    viewer = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(viewer, office_url, "viewer")
    map_frame(viewer, timeout_ms=120_000)
    viewer.wait_for_function("t => document.body.innerText.includes(t)", arg=LAYERS["open_c"][2])
    assert "机密地块甲" not in viewer.inner_text("body")
    assert viewer.locator("a[href*='admin']").count() == 0  # no admin page for a viewer
    viewer.goto(office_url + "/admin")
    viewer.wait_for_timeout(3000)
    assert "机密地块甲" not in viewer.inner_text("body")

    admin = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True).new_page()
    admin.set_default_timeout(60_000)
    sign_in(admin, office_url, "boss")
    admin.goto(office_url + "/admin")
    _click_tab(admin, "图层")
    panel = admin.get_by_role("tabpanel", name="图层")
    panel.get_by_text("确认删除图层 secret_a").click()
    panel.get_by_role("button", name="删除", exact=True).click()
    admin.get_by_text("已删除图层").first.wait_for()
    assert not _can_see(root, "ed_a", "secret_a") and not _can_see(root, "boss", "secret_a")
    save_screenshot(admin, "office_admin_deleted", full_page=False)

    _click_tab(admin, "回收站")
    trash = admin.get_by_role("tabpanel", name="回收站")
    trash.get_by_role("button", name="恢复此图层").click()
    admin.get_by_text("已恢复已删除的图层").first.wait_for()
    assert _can_see(root, "ed_a", "secret_a") and not _can_see(root, "ed_b", "secret_a")
    assert not _can_see(root, "viewer", "secret_a") and not _can_see(root, "ed_c", "secret_a")

    _click_tab(admin, "审计记录")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="下载审计记录（CSV）").click()
    path = tmp_path / "audit.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in header}
    actions = [(r[col["用户"]], r[col["操作"]], r[col[TARGET]]) for r in body]
    imported = [r for r in body if r[col[TARGET]] == "secret_a" and r[col["操作"]].startswith("导入")]
    assert imported and imported[0][col["文件 SHA-256"]] == digests["secret_a"]
    assert ("boss", "删除图层", "secret_a") in actions
    assert ("boss", "恢复已删除图层", "secret_a") in actions
    signed_in = {who for who, what, _ in actions if what == "登录"}
    assert {"viewer", "boss"} <= signed_in
    order = [what for _, what, target in actions if target == "secret_a"]
    assert order.index("删除图层") < order.index("恢复已删除图层")
    save_screenshot(admin, "office_admin_audit", full_page=False)
