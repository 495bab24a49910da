"""The sign-in gate: nothing of the app reaches anyone who is not signed in.

A pure ASGI middleware in front of Streamlit's own (see server.py). Without a live session
(the ``zkq_session`` cookie, checked with :meth:`OfficeStore.session_user`) every HTTP path
answers only the sign-in page (a redirect to /signin; 401 for tiles, Streamlit's endpoints,
uploads and media, and for any method but GET/HEAD), and the websocket is closed before it opens.
Open to all: ``/signin``, ``/signout`` and ``/_stcore/health``. The sign-in page is one
self-contained HTML page (inline CSS, no script, nothing fetched).

Routes::

    GET  /signin     the form (Chinese; English with ?lang=en)
    POST /signin     application/x-www-form-urlencoded, at most 4 KiB: user, password
    GET  /signout    ends the session, clears the cookie

Optional trusted proxy: when ``$ZKQ_PROXY_USER_HEADER`` names a header (e.g. X-Remote-User)
and the TCP peer is in ``$ZKQ_TRUSTED_PROXIES`` (IPs or CIDRs, comma-separated), the user that
header names is signed in (:meth:`OfficeStore.proxy_sign_in`). The peer is the real one:
uvicorn rewrites ``scope["client"]`` from X-Forwarded-For when the peer is in its
``forwarded_allow_ips`` (127.0.0.1 and ::1 by default, Streamlit does not change it), so
:func:`record_real_peer` makes uvicorn's proxy-headers middleware keep the peer it saw; where
that record is missing and the request carries X-Forwarded-For, no proxy is trusted.
"""

from __future__ import annotations

import asyncio
import functools
import html
import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs

import anyio.to_thread
import office
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.websockets import WebSocketClose

from zkq_geo.i18n.tables import load_table
from zkq_geo.office.accounts import FAILED_SIGN_IN_DELAY_S, User
from zkq_geo.office.store import SignInRefused

SIGN_IN, SIGN_OUT, HEALTH = "/signin", "/signout", "/_stcore/health"
OPEN_PATHS = frozenset({HEALTH})
REFUSED_PREFIXES = ("/tiles/", "/_stcore/", "/media/", "/component/")  # 401 rather than a redirect
MAX_FORM_BYTES = 4096
PROXY_HEADER_ENV, TRUSTED_PROXIES_ENV = "ZKQ_PROXY_USER_HEADER", "ZKQ_TRUSTED_PROXIES"
PEER_KEY = "zkq.peer"  # the TCP peer as uvicorn saw it, before X-Forwarded-For (record_real_peer)
NO_STORE = {"Cache-Control": "no-store"}
PAGE_HEADERS = {
    **NO_STORE,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make the form post Origin: null
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}
STRINGS = load_table(Path(__file__).with_name("strings.toml"))


class SignInGate:
    """ASGI middleware: ``app`` only for signed-in users (see the module's docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope["type"] == "http" and path == SIGN_IN:
            await sign_in_route(scope, receive, send)
            return
        if scope["type"] == "http" and path == SIGN_OUT:
            await sign_out_route(scope, receive, send)
            return
        if scope["type"] == "http" and path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        user, new_token = await anyio.to_thread.run_sync(identify, scope)
        if user is None:
            await refuse(scope, receive, send)
        elif new_token is not None:  # signed in by the trusted proxy: the cookie, then the same URL
            await with_cookie(RedirectResponse(_same_url(scope), 303, headers=NO_STORE), new_token, scope)(
                scope, receive, send
            )
        else:
            await self.app(scope, receive, send)


def identify(scope) -> tuple[User | None, str | None]:
    """The signed-in user of a request, and a new session token when the trusted proxy's header
    signed them in just now (None when the cookie's session stands)."""
    conn = HTTPConnection(scope)
    user = office.session_user(conn.cookies.get(office.SESSION_COOKIE))
    proxied = proxy_user_name(scope)
    if proxied is None or (user is not None and user.name == proxied):
        return user, None
    if scope["type"] != "http":  # the page load signs in; a websocket never makes a session
        return None, None
    source = f"proxy {peer_host(scope)}"
    try:
        user, token = office.store().proxy_sign_in(proxied, source=source)
    except SignInRefused:  # recorded in the audit trail by the store
        return None, None
    return user, token


def proxy_user_name(scope) -> str | None:
    """The user the trusted proxy names, or None (not configured, an untrusted peer, no header or
    the header twice)."""
    header = os.environ.get(PROXY_HEADER_ENV, "").strip().lower().encode("latin-1", "replace")
    if not header or not is_trusted_proxy(peer_host(scope)):
        return None
    values = [v for k, v in scope.get("headers", []) if k == header]
    if len(values) != 1:
        return None
    name = values[0].decode("latin-1").strip()
    return name or None


def peer_host(scope) -> str | None:
    """The IP of the TCP peer: as uvicorn saw it before X-Forwarded-For (record_real_peer); else
    ``scope["client"]`` when no X-Forwarded-For could have changed it; else None."""
    if PEER_KEY in scope:
        peer = scope[PEER_KEY]
    elif any(k == b"x-forwarded-for" for k, _ in scope.get("headers", [])):
        return None
    else:
        peer = scope.get("client")
    return str(peer[0]) if peer else None


def is_trusted_proxy(host: str | None) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies(os.environ.get(TRUSTED_PROXIES_ENV, "")))


@functools.lru_cache(maxsize=4)
def trusted_proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of ``$ZKQ_TRUSTED_PROXIES``; an entry that is not an IP or a CIDR trusts nothing."""
    networks = []
    for item in text.split(","):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def record_real_peer() -> None:
    """Make uvicorn's proxy-headers middleware (wrapped around the app when uvicorn loads it, after
    importing server.py) keep the TCP peer in ``scope["zkq.peer"]`` before it rewrites
    ``scope["client"]`` from X-Forwarded-For."""
    import uvicorn.config

    base = uvicorn.config.ProxyHeadersMiddleware
    if getattr(base, "keeps_peer", False):
        return

    class PeerKeepingProxyHeaders(base):
        keeps_peer = True

        async def __call__(self, scope, receive, send):
            if scope["type"] in ("http", "websocket"):
                scope[PEER_KEY] = scope.get("client")
            await super().__call__(scope, receive, send)

    uvicorn.config.ProxyHeadersMiddleware = PeerKeepingProxyHeaders


async def refuse(scope, receive, send) -> None:
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008)(scope, receive, send)  # before accept: the client gets 403
        return
    path = scope.get("path", "")
    if scope.get("method") in ("GET", "HEAD") and not path.startswith(REFUSED_PREFIXES):
        response: Response = RedirectResponse(SIGN_IN, 303, headers=NO_STORE)
    else:
        response = PlainTextResponse(text("signin_needed", "zh"), 401, headers=NO_STORE)
    await response(scope, receive, send)


# ----------------------------------------------------------------------------- the routes
async def sign_in_route(scope, receive, send) -> None:
    lang = page_lang(scope)
    method = scope.get("method")
    if method in ("GET", "HEAD"):
        response = sign_in_page(lang)
    elif method == "POST":
        response = await sign_in_post(scope, receive, lang)
    else:
        response = PlainTextResponse("", 405, headers={**NO_STORE, "Allow": "GET, HEAD, POST"})
    await response(scope, receive, send)


async def sign_in_post(scope, receive, lang: str) -> Response:
    conn = HTTPConnection(scope)
    content_type = conn.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return PlainTextResponse("", 415, headers=NO_STORE)
    if not same_origin(conn):
        return PlainTextResponse("", 403, headers=NO_STORE)
    length = conn.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return PlainTextResponse("", 413, headers=NO_STORE)
    body = await read_body(receive, MAX_FORM_BYTES)
    if body is None:
        return PlainTextResponse("", 413, headers=NO_STORE)
    try:
        form = parse_qs(body.decode("utf-8"), max_num_fields=8, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return PlainTextResponse("", 400, headers=NO_STORE)
    name = (form.get("user") or [""])[0].strip()
    password = (form.get("password") or [""])[0]
    sign_in = functools.partial(office.store().sign_in, name, password, source=peer_host(scope) or "")
    try:
        _, token = await anyio.to_thread.run_sync(sign_in)
    except SignInRefused:
        await asyncio.sleep(FAILED_SIGN_IN_DELAY_S)  # slows guessing; the event loop keeps serving
        return sign_in_page(lang, failed=True, user=name[:40])
    return with_cookie(RedirectResponse("/", 303, headers=NO_STORE), token, scope)


async def sign_out_route(scope, receive, send) -> None:
    token = HTTPConnection(scope).cookies.get(office.SESSION_COOKIE)
    if token:
        await anyio.to_thread.run_sync(office.store().sign_out, token)
    response = RedirectResponse(SIGN_IN, 303, headers=NO_STORE)
    response.delete_cookie(office.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    await response(scope, receive, send)


async def read_body(receive, limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit`` bytes or the client went away."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def same_origin(conn: HTTPConnection) -> bool:
    """A form posted from another site is refused (no sign-in CSRF); no Origin header is fine."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    host = conn.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def with_cookie(response: Response, token: str, scope) -> Response:
    response.set_cookie(
        office.SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=scope.get("scheme") in ("https", "wss"),
    )
    return response


def _same_url(scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    path = scope.get("path", "/")
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return path + (f"?{query}" if query else "")


# ----------------------------------------------------------------------------- the page
def page_lang(scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return "en" if query.get("lang") == ["en"] else "zh"


def text(key: str, lang: str) -> str:
    return STRINGS[key][lang]


def sign_in_page(lang: str, *, failed: bool = False, user: str = "") -> HTMLResponse:
    """The sign-in form; ``failed`` adds the one error every refusal shows (status 401)."""
    e = html.escape
    other, other_label = ("zh", "中文") if lang == "en" else ("en", "English")
    action = SIGN_IN + ("?lang=en" if lang == "en" else "")
    error = f'<p class="error" role="alert">{e(text("signin_error", lang))}</p>' if failed else ""
    page = PAGE.format(
        lang="zh-CN" if lang == "zh" else "en",
        title=e(text("signin_title", lang)),
        heading=e(text("signin_heading", lang)),
        user_label=e(text("signin_user", lang)),
        password_label=e(text("signin_password", lang)),
        button=e(text("signin_button", lang)),
        action=e(action),
        user=e(user),
        error=error,
        other_href=e(SIGN_IN + ("?lang=en" if other == "en" else "")),
        other_label=e(other_label),
    )
    return HTMLResponse(page, status_code=401 if failed else 200, headers=PAGE_HEADERS)


PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: #f4f6f8;
  margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center; }}
main {{ background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 2px 12px rgba(0,0,0,.08);
  width: 20rem; }}
h1 {{ font-size: 1.25rem; margin: 0 0 1.5rem; color: #1f2a37; }}
label {{ display: block; margin: .8rem 0 .3rem; color: #374151; font-size: .95rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .55rem .6rem; border: 1px solid #cbd2d9;
  border-radius: 4px; font-size: 1rem; }}
button {{ margin-top: 1.4rem; width: 100%; padding: .6rem; border: 0; border-radius: 4px; background: #0b5cad;
  color: #fff; font-size: 1rem; cursor: pointer; }}
.error {{ color: #b42318; background: #fef3f2; padding: .5rem .6rem; border-radius: 4px; }}
.lang {{ margin-top: 1.2rem; text-align: right; font-size: .85rem; }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
{error}
<form method="post" action="{action}" autocomplete="on">
<label for="user">{user_label}</label>
<input id="user" name="user" type="text" autocomplete="username" maxlength="40"
  value="{user}" required autofocus>
<label for="password">{password_label}</label>
<input id="password" name="password" type="password" autocomplete="current-password"
  maxlength="1024" required>
<button id="signin" type="submit">{button}</button>
</form>
<p class="lang"><a href="{other_href}">{other_label}</a></p>
</main>
</body>
</html>
"""
