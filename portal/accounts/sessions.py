"""Server-side sessions: the cookie holds a random token, the database its hash and times.

Kept in the database rather than a signed cookie so that logout and deactivation end a
session at once, and so that several workers share them.
"""

from __future__ import annotations

import datetime as dt

from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.columns.combination import Where

from portal.accounts.panel import kind_names, panel_from_json
from portal.accounts.principal import MembershipInfo, Principal
from portal.accounts.tables import Membership, Role, SessionStage, User, UserSession
from portal.lib import clock
from portal.lib.data_version import VERSION_SQL
from portal.lib.kept_pages import VERSION_KEY
from portal.lib.settings import Settings
from portal.lib.tokens import new_token, token_hash

SESSION_COOKIE = "fp_session"
# Writing last_seen on every request would turn each page view into a write.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


async def create_session(user_id: int, stage: SessionStage = SessionStage.full) -> str:
    token = new_token()
    now = clock.now()
    await UserSession.insert(
        UserSession(
            token_hash=token_hash(token),
            user=user_id,
            created_at=now,
            last_seen_at=now,
            stage=stage.value,
        )
    )
    return token


async def _session_row(token: str, stage_condition: Where) -> dict | None:
    return (
        await UserSession.select(
            UserSession.id,
            UserSession.created_at,
            UserSession.last_seen_at,
            UserSession.stage,
            UserSession.code_failures,
            UserSession.user.id.as_alias("user_id"),
            UserSession.user.email.as_alias("email"),
            UserSession.user.name.as_alias("name"),
            UserSession.user.active.as_alias("active"),
        )
        .where((UserSession.token_hash == token_hash(token)) & stage_condition)
        .first()
    )


async def load_pending(token: str, pending_minutes: int) -> dict | None:
    """A log-in halfway: password accepted, second factor awaited. None when there is none or it
    lapsed (a lapsed one is removed)."""
    row = await _session_row(token, UserSession.stage != SessionStage.full.value)
    if row is None:
        return None
    age = clock.now() - clock.as_utc(row["created_at"])
    if not row["active"] or age > dt.timedelta(minutes=pending_minutes):
        await UserSession.delete().where(UserSession.id == row["id"])
        return None
    return row


async def end_session(token: str) -> None:
    await UserSession.delete().where(UserSession.token_hash == token_hash(token))


async def end_all_sessions(user_id: int) -> None:
    await UserSession.delete().where(UserSession.user == user_id)


async def end_other_sessions(user_id: int, keep_token: str | None) -> None:
    if keep_token is None:
        await end_all_sessions(user_id)
        return
    await UserSession.delete().where(
        (UserSession.user == user_id) & (UserSession.token_hash != token_hash(keep_token))
    )


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.production,
    )


def expired_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=settings.production,
    )


# The session, its user and every membership of that user with its network, region and
# organisation, in one statement. Every logged-in request runs it; on SQLite each statement also
# costs a connection of its own, so one statement instead of three (session, memberships, the
# network of the path) is much of a cheap page's floor. A user without memberships still gets a
# row (LEFT JOIN), with the membership columns NULL. Table names as in portal/accounts/tables.py.
# The data version comes along, for the pages kept under it (portal/lib/kept_pages.py).
PRINCIPAL_SQL = f"""
    SELECT s.id AS session_id, s.created_at, s.last_seen_at,
           u.id AS user_id, u.email, u.name, u.active,
           m.id AS membership_id, m.role, m.reviewer_kind,
           n.id AS network_id, n.slug AS network_slug, n.name AS network_name,
           n.coordinating_municipality AS network_municipality, n.panel AS network_panel,
           r.id AS region_id, r.name AS region_name,
           o.id AS organisation_id, o.name AS organisation_name,
           {VERSION_SQL} AS data_version
    FROM portal_session s
    JOIN portal_user u ON u.id = s."user"
    LEFT JOIN membership m ON m."user" = u.id
    LEFT JOIN network n ON n.id = m.network
    LEFT JOIN region r ON r.id = m.region
    LEFT JOIN organisation o ON o.id = m.organisation
    WHERE s.token_hash = {{}} AND s.stage = {{}}
    ORDER BY m.id
"""  # noqa: S608 - a constant subquery; the token is a parameter


async def load_session(token: str, settings: Settings) -> tuple[Principal | None, str | None]:
    """The session's user with their memberships, and the data version read with them."""
    # A session still waiting for its second factor is nobody yet.
    rows = await UserSession.raw(PRINCIPAL_SQL, token_hash(token), SessionStage.full.value)
    if not rows:
        return None, None
    row = rows[0]
    now = clock.now()
    idle = now - clock.as_utc(row["last_seen_at"])
    age = now - clock.as_utc(row["created_at"])
    if (
        not row["active"]
        or idle > dt.timedelta(minutes=settings.session_idle_minutes)
        or age > dt.timedelta(hours=settings.session_max_hours)
    ):
        await UserSession.delete().where(UserSession.id == row["session_id"])
        return None, None
    if idle > TOUCH_INTERVAL:
        await UserSession.update({UserSession.last_seen_at: now}).where(
            UserSession.id == row["session_id"]
        )
    principal = Principal(
        user_id=row["user_id"],
        email=row["email"],
        name=row["name"],
        memberships=tuple(_membership(r) for r in rows if r["membership_id"] is not None),
        session_id=row["session_id"],
    )
    return principal, row["data_version"]


def _membership(r: dict) -> MembershipInfo:
    return MembershipInfo(
        id=r["membership_id"],
        network_id=r["network_id"],
        network_slug=r["network_slug"],
        network_name=r["network_name"],
        role=Role(r["role"]),
        reviewer_kind=r["reviewer_kind"] or "",
        reviewer_kind_name=kind_names(panel_from_json(r["network_panel"])).get(
            r["reviewer_kind"], ""
        )
        if r["reviewer_kind"]
        else "",
        region_id=r["region_id"],
        region_name=r["region_name"],
        organisation_id=r["organisation_id"],
        organisation_name=r["organisation_name"],
        network_municipality=r["network_municipality"] or "",
    )


async def memberships_of(user_id: int) -> tuple[MembershipInfo, ...]:
    """The same memberships `load_session` loads, for a user without a session (API tokens,
    the demo, tests)."""
    rows = (
        await Membership.select(
            Membership.id.as_alias("membership_id"),
            Membership.network.id.as_alias("network_id"),
            Membership.network.slug.as_alias("network_slug"),
            Membership.network.name.as_alias("network_name"),
            Membership.network.coordinating_municipality.as_alias("network_municipality"),
            Membership.network.panel.as_alias("network_panel"),
            Membership.role,
            Membership.reviewer_kind,
            Membership.region.id.as_alias("region_id"),
            Membership.region.name.as_alias("region_name"),
            Membership.organisation.id.as_alias("organisation_id"),
            Membership.organisation.name.as_alias("organisation_name"),
        )
        .where(Membership.user == user_id)
        .order_by(Membership.id)
    )
    return tuple(_membership(r) for r in rows)


async def active_user_exists(user_id: int) -> bool:
    return await User.exists().where((User.id == user_id) & (User.active == True))  # noqa: E712


class SessionMiddleware:
    """Puts the Principal (or None) in scope["user"] for every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["user"] = None
            token = _cookie(scope, SESSION_COOKIE)
            if token:
                scope["user"], scope[VERSION_KEY] = await load_session(  # type: ignore[literal-required]
                    token, self.settings
                )
        await self.app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    from http.cookies import SimpleCookie

    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            if name in jar:
                return jar[name].value
    return None
