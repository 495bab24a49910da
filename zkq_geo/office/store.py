"""The office's records: users, teams, sign-in sessions, who owns which layer, and the audit trail.

One schema (SQLAlchemy Core) on two databases: SQLite in the workspace folder
(``office.sqlite``, the embedded default) or the PostgreSQL database of ``ZKQ_DATABASE_URL``.
Times are UTC ISO-8601 text (``2026-12-01T11:18:45+00:00``), which sorts as time on both.

Every change to an account is written in the same transaction as its audit record, so no user
change goes unrecorded; the audit table refuses UPDATE and DELETE by a trigger on both databases
(append-only: neither the app nor the CLI has a way to edit it, and a stray SQL statement fails).
Session tokens are stored as their SHA-256, never as the token a browser holds.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from zkq_geo.errors import AccessError, OptionError
from zkq_geo.i18n.messages import msg
from zkq_geo.office import accounts
from zkq_geo.office.access import LayerAccess, Visibility, check_visibility
from zkq_geo.office.accounts import User
from zkq_geo.office.db import database_url, engine_for, is_postgres, sqlite_url
from zkq_geo.workspace import default_root

SESSION_IDLE_S = 8 * 3600  # a session unused this long ends (a working day)
SESSION_MAX_S = 7 * 24 * 3600  # and none lasts longer than a week
SYSTEM = "system"  # the actor of changes made by the server itself (e.g. a migration)

metadata = sa.MetaData()
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("display_name", sa.String(80), nullable=False, default=""),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.Float),
    sa.Column("created", sa.String(32), nullable=False),
)
teams = sa.Table(
    "teams",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("title", sa.String(80), nullable=False, default=""),
    sa.Column("created", sa.String(32), nullable=False),
)
memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("user_name", sa.String(40), sa.ForeignKey("users.name"), primary_key=True),
    sa.Column("team", sa.String(40), sa.ForeignKey("teams.name"), primary_key=True),
)
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(40), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)
layer_access = sa.Table(
    "layer_access",
    metadata,
    sa.Column("layer", sa.String(40), primary_key=True),
    sa.Column("owner", sa.String(40)),
    sa.Column("team", sa.String(40)),
    sa.Column("visibility", sa.String(10), nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("actor", sa.String(40), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(200), nullable=False, default=""),
    sa.Column("file_name", sa.String(300)),
    sa.Column("file_sha256", sa.String(64)),
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
)

_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION zkq_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS audit_append_only ON audit",
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION zkq_audit_append_only()",
    ],
}


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit trail."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    file_name: str | None = None
    file_sha256: str | None = None
    warnings: tuple[str | dict, ...] = ()  # a report warning: {"en", "zh"}
    detail: dict = field(default_factory=dict)


class SignInRefused(AccessError):
    """A sign-in that failed; its message never says whether the user exists."""


class OfficeStore:
    """The office's records in the database at ``url`` (``sqlite:///...`` or ``postgresql://...``);
    tables are made on first use."""

    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)
        with self.engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(74210001)"))  # one creator at a time
            for statement in _APPEND_ONLY.get(conn.dialect.name, []):
                conn.exec_driver_sql(statement)

    # ------------------------------------------------------------------ users
    def has_users(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() > 0

    def user(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            return self._user(conn, name)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            names = conn.execute(sa.select(users.c.name).order_by(users.c.name)).scalars().all()
            return [self._user(conn, n) for n in names]

    def add_user(
        self,
        actor: str,
        name: str,
        role: str,
        *,
        password: str | None = None,
        display_name: str = "",
        teams_: Iterable[str] = (),
    ) -> User:
        """A new account; ``password`` None makes an account usable only through a trusted proxy."""
        accounts.check_user_name(name)
        accounts.check_role(role)
        if password is not None:
            accounts.check_password(password, name)
        with self.engine.begin() as conn:
            if self._user(conn, name) is not None:
                raise OptionError(msg("user_exists", name=name))
            conn.execute(
                users.insert().values(
                    name=name,
                    display_name=display_name[:80],
                    role=role,
                    password_hash=accounts.hash_password(password) if password else None,
                    disabled=False,
                    failed_sign_ins=0,
                    created=now_iso(),
                )
            )
            for team in teams_:
                self._join(conn, name, team)
            detail = {"role": role, "teams": sorted(teams_), "display_name": display_name}
            self._record(conn, actor, "user_add", name, detail=detail)
            return self._user(conn, name)

    def set_password(self, actor: str, name: str, password: str) -> None:
        """Set ``name``'s password; also unlocks the account."""
        accounts.check_password(password, name)
        with self.engine.begin() as conn:
            self._require_user(conn, name)
            conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(password_hash=accounts.hash_password(password), failed_sign_ins=0, locked_until=None)
            )
            conn.execute(sessions.delete().where(sessions.c.user_name == name))  # sign out everywhere
            self._record(conn, actor, "user_passwd", name)

    def set_disabled(self, actor: str, name: str, disabled: bool) -> None:
        with self.engine.begin() as conn:
            before = self._require_user(conn, name)
            if disabled and before.is_admin and self._enabled_admins(conn) == [name]:
                raise OptionError(msg("last_admin", name=name))
            values = {"disabled": disabled} | (
                {} if disabled else {"failed_sign_ins": 0, "locked_until": None}
            )
            conn.execute(users.update().where(users.c.name == name).values(**values))
            if disabled:
                conn.execute(sessions.delete().where(sessions.c.user_name == name))
            self._record(conn, actor, "user_disable" if disabled else "user_enable", name)

    def set_role(self, actor: str, name: str, role: str) -> None:
        accounts.check_role(role)
        with self.engine.begin() as conn:
            before = self._require_user(conn, name)
            if before.is_admin and role != "admin" and self._enabled_admins(conn) == [name]:
                raise OptionError(msg("last_admin", name=name))
            conn.execute(users.update().where(users.c.name == name).values(role=role))
            self._record(conn, actor, "user_role", name, detail={"from": before.role, "to": role})

    # ------------------------------------------------------------------ teams
    def teams(self) -> dict[str, tuple[str, ...]]:
        """Every team and its members."""
        with self.engine.connect() as conn:
            names = conn.execute(sa.select(teams.c.name).order_by(teams.c.name)).scalars().all()
            rows = conn.execute(sa.select(memberships.c.team, memberships.c.user_name)).all()
        return {n: tuple(sorted(u for t, u in rows if t == n)) for n in names}

    def add_team(self, actor: str, name: str, title: str = "") -> None:
        accounts.check_team_name(name)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(teams.c.name).where(teams.c.name == name)).first():
                raise OptionError(msg("team_exists", name=name))
            conn.execute(teams.insert().values(name=name, title=title[:80], created=now_iso()))
            self._record(conn, actor, "team_add", name, detail={"title": title})

    def set_membership(self, actor: str, user_name: str, team: str, member: bool) -> None:
        with self.engine.begin() as conn:
            self._require_user(conn, user_name)
            if member:
                self._join(conn, user_name, team)
            else:
                conn.execute(
                    memberships.delete().where(
                        (memberships.c.user_name == user_name) & (memberships.c.team == team)
                    )
                )
            self._record(
                conn, actor, "team_join" if member else "team_leave", user_name, detail={"team": team}
            )

    # ------------------------------------------------------------------ signing in
    def sign_in(self, name: str, password: str, *, source: str = "") -> tuple[User, str]:
        """Check ``password``; return the user and a new session token, or raise
        :class:`SignInRefused` (the same message for an unknown user and a wrong password; a
        locked or disabled account says so only when the password was right). Every attempt
        is in the audit trail."""
        now = time.time()
        named = isinstance(name, str) and accounts.USER_NAME.fullmatch(name) is not None
        with self.engine.begin() as conn:  # a name no account can have (a NUL...) is not looked up
            query = sa.select(users).where(users.c.name == name).with_for_update()
            row = conn.execute(query).first() if named else None
            if row is None or not accounts.verify_password(row.password_hash, password):
                if row is not None:
                    failures = row.failed_sign_ins + 1
                    conn.execute(
                        users.update()
                        .where(users.c.name == name)
                        .values(failed_sign_ins=failures, locked_until=accounts.locked_until(failures, now))
                    )
                self._record(
                    conn,
                    name if row is not None else "-",
                    "sign_in_failed",
                    str(name)[:40].replace("\x00", "\\x00"),  # PostgreSQL text holds no NUL
                    detail={"from": source},
                )
                refused = msg("sign_in_failed")
            elif row.disabled:
                self._record(conn, name, "sign_in_refused", name, detail={"from": source, "why": "disabled"})
                refused = msg("sign_in_disabled")
            elif row.locked_until and row.locked_until > now:
                self._record(conn, name, "sign_in_refused", name, detail={"from": source, "why": "locked"})
                refused = msg("sign_in_locked", minutes=max(1, round((row.locked_until - now) / 60)))
            else:
                refused = None
                values = {"failed_sign_ins": 0, "locked_until": None}
                if accounts.needs_rehash(row.password_hash):
                    values["password_hash"] = accounts.hash_password(password)
                conn.execute(users.update().where(users.c.name == name).values(**values))
                token = self._new_session(conn, name, now)
                self._record(conn, name, "sign_in", name, detail={"from": source, "how": "password"})
                user = self._user(conn, name)
        if refused is not None:
            raise SignInRefused(refused)
        return user, token

    def proxy_sign_in(self, name: str, *, source: str) -> tuple[User, str]:
        """A session for ``name`` as named by a trusted proxy's header (the caller checked the proxy)."""
        with self.engine.begin() as conn:
            user = self._user(conn, name) if accounts.USER_NAME.fullmatch(name or "") else None
            if user is None or user.disabled:
                self._record(
                    conn, "-", "sign_in_failed", (name or "")[:40], detail={"from": source, "how": "proxy"}
                )
            else:
                token = self._new_session(conn, name, time.time())
                self._record(conn, name, "sign_in", name, detail={"from": source, "how": "proxy"})
                return user, token
        # raised after the transaction, so the refusal's audit record is kept
        raise SignInRefused(msg("sign_in_proxy_unknown", name=(name or "")[:40]))

    def session_user(self, token: str | None) -> User | None:
        """The user of a live session, or None (unknown, expired, or the user disabled)."""
        if not token or len(token) > 200:
            return None
        digest, now = _digest(token), time.time()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(sessions).where(sessions.c.token_sha256 == digest)).first()
            if row is None:
                return None
            if now - row.last_seen > SESSION_IDLE_S or now - row.created > SESSION_MAX_S:
                conn.execute(sessions.delete().where(sessions.c.token_sha256 == digest))
                return None
            user = self._user(conn, row.user_name)
            if user is None or user.disabled:
                return None
            if now - row.last_seen > 60:  # write at most once a minute per session
                conn.execute(sessions.update().where(sessions.c.token_sha256 == digest).values(last_seen=now))
            return user

    def sign_out(self, token: str | None) -> None:
        if not token:
            return
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(sessions).where(sessions.c.token_sha256 == _digest(token))).first()
            if row is not None:
                conn.execute(sessions.delete().where(sessions.c.token_sha256 == row.token_sha256))
                self._record(conn, row.user_name, "sign_out", row.user_name)

    # ------------------------------------------------------------------ layers
    def access(self, layer: str) -> LayerAccess | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(layer_access).where(layer_access.c.layer == layer)).first()
        return _access(row) if row else None

    def all_access(self) -> dict[str, LayerAccess]:
        with self.engine.connect() as conn:
            return {r.layer: _access(r) for r in conn.execute(sa.select(layer_access))}

    def claim_layer(self, layer: str, owner: str, team: str | None, visibility: Visibility) -> LayerAccess:
        """The access record of ``layer``: a new one owned by ``owner``, or the one there already
        (the database decides between two users claiming one new name at once)."""
        check_visibility(visibility, team)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(layer_access).where(layer_access.c.layer == layer)).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            layer_access.insert().values(
                                layer=layer, owner=owner, team=team, visibility=visibility, created=now_iso()
                            )
                        )
                except sa.exc.IntegrityError:
                    pass  # claimed a moment ago by someone else: theirs stands
                row = conn.execute(sa.select(layer_access).where(layer_access.c.layer == layer)).first()
        return _access(row)

    def release_claim(self, layer: str, owner: str) -> None:
        """Drop ``owner``'s claim of a layer whose first save failed."""
        with self.engine.begin() as conn:
            conn.execute(
                layer_access.delete().where((layer_access.c.layer == layer) & (layer_access.c.owner == owner))
            )

    def set_access(
        self, actor: str, layer: str, owner: str | None, team: str | None, visibility: Visibility
    ) -> None:
        check_visibility(visibility, team)
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(layer_access).where(layer_access.c.layer == layer)).first()
            values = {"owner": owner, "team": team, "visibility": visibility}
            if before is None:
                conn.execute(layer_access.insert().values(layer=layer, created=now_iso(), **values))
            else:
                conn.execute(layer_access.update().where(layer_access.c.layer == layer).values(**values))
            old = {k: getattr(before, k) for k in values} if before is not None else None
            self._record(conn, actor, "share", layer, detail={"from": old, "to": values})

    # ------------------------------------------------------------------ audit
    def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        *,
        file_name: str | None = None,
        file_sha256: str | None = None,
        warnings: Iterable[str] = (),
        detail: dict | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            self._record(
                conn,
                actor,
                action,
                target,
                file_name=file_name,
                file_sha256=file_sha256,
                warnings=warnings,
                detail=detail,
            )

    def events(
        self, *, since: str | None = None, user: str | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        """Audit events, oldest first; ``since`` an ISO date or time (UTC), ``user`` the actor."""
        query = sa.select(audit).order_by(audit.c.id)
        if since:
            query = query.where(audit.c.at >= since)
        if user:
            query = query.where(audit.c.actor == user)
        if limit:
            query = query.order_by(None).order_by(audit.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        events = [
            AuditEvent(
                r.id,
                r.at,
                r.actor,
                r.action,
                r.target,
                r.file_name,
                r.file_sha256,
                tuple(json.loads(r.warnings or "[]")),
                json.loads(r.detail or "{}"),
            )
            for r in rows
        ]
        return sorted(events, key=lambda e: e.id)

    # ------------------------------------------------------------------ inside
    def _record(
        self,
        conn,
        actor: str,
        action: str,
        target: str = "",
        *,
        file_name=None,
        file_sha256=None,
        warnings: Iterable[str] = (),
        detail: dict | None = None,
    ) -> None:
        conn.execute(
            audit.insert().values(
                at=now_iso(),
                actor=actor,
                action=action,
                target=target,
                file_name=file_name,
                file_sha256=file_sha256,
                warnings=json.dumps([_both_languages(w) for w in warnings], ensure_ascii=False),
                detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
            )
        )

    def _user(self, conn, name: str) -> User | None:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            return None
        member_of = conn.execute(
            sa.select(memberships.c.team).where(memberships.c.user_name == name).order_by(memberships.c.team)
        ).scalars()
        return User(
            name=row.name,
            role=row.role,
            display_name=row.display_name or "",
            teams=tuple(member_of),
            disabled=bool(row.disabled),
            has_password=bool(row.password_hash),
        )

    def _require_user(self, conn, name: str) -> User:
        user = self._user(conn, name)
        if user is None:
            raise OptionError(msg("user_unknown", name=str(name)[:40]))
        return user

    def _enabled_admins(self, conn) -> list[str]:
        return list(
            conn.execute(
                sa.select(users.c.name).where((users.c.role == "admin") & (users.c.disabled == sa.false()))
            ).scalars()
        )

    def _join(self, conn, user_name: str, team: str) -> None:
        if not conn.execute(sa.select(teams.c.name).where(teams.c.name == team)).first():
            raise OptionError(msg("team_unknown", name=str(team)[:40]))
        exists = conn.execute(
            sa.select(memberships).where(
                (memberships.c.user_name == user_name) & (memberships.c.team == team)
            )
        ).first()
        if not exists:
            conn.execute(memberships.insert().values(user_name=user_name, team=team))

    def _new_session(self, conn, name: str, now: float) -> str:
        token = secrets.token_urlsafe(32)
        conn.execute(
            sessions.insert().values(token_sha256=_digest(token), user_name=name, created=now, last_seen=now)
        )
        conn.execute(sessions.delete().where(sessions.c.last_seen < now - SESSION_IDLE_S))  # tidy old ones
        return token


def office_store(root=None, url: str | None = None) -> OfficeStore:
    """The office's records: in the PostgreSQL database of ``url`` (default ``$ZKQ_DATABASE_URL``),
    else in ``office.sqlite`` in the workspace folder ``root`` (default: the workspace's)."""
    url = url or database_url()
    if is_postgres(url):
        return OfficeStore(url)
    folder = Path(root).expanduser().resolve() if root is not None else default_root()
    folder.mkdir(parents=True, exist_ok=True)
    return OfficeStore(sqlite_url(folder))


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _both_languages(warning) -> str | dict:
    """A report warning as stored: ``{"en", "zh"}`` when it is a message (so the audit reads in the
    reader's language), else its text."""
    if hasattr(warning, "text"):
        return {"en": warning.text("en"), "zh": warning.text("zh")}
    return str(warning)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _access(row) -> LayerAccess:
    return LayerAccess(row.layer, row.owner, row.team, row.visibility)
