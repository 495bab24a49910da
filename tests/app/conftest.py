"""Every AppTest runs as a signed-in user of the test's workspace (``tmp_path/ws``): the admin of
the ``signed_in`` fixture, unless the test signs in someone else (``signed_in.sign_in_app(name)``,
None for nobody). A module that serves its own workspace to a server says ``OWN_WORKSPACE = True``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _workspace_and_user(tmp_path, monkeypatch, request):
    if getattr(request.module, "OWN_WORKSPACE", False):
        return
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    request.getfixturevalue("signed_in")
