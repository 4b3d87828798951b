"""Personal API tokens: a coordinator's key to the read-only API under `/api/v1`.

The secret is shown once, when it is made; only its SHA-256 is stored (as for session cookies,
see portal/lib/tokens.py), so a leaked table opens nothing. A token acts for its user with the
coordinator roles the user holds *now*: losing the role or the account ends what the token can
read, and a revoked token is refused at once. Which networks a request may read is then the
ordinary guard's question (portal/accounts/guards.py), exactly as for pages.
"""

from __future__ import annotations

import datetime as dt

from piccolo.columns import ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts import events
from portal.accounts.principal import Principal
from portal.accounts.sessions import memberships_of
from portal.accounts.tables import Membership, Role, User
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.tokens import new_token, token_hash

# Recognisable in logs and by secret scanners; the rest is 256 random bits.
TOKEN_PREFIX = "fp_"
# The start of the secret that the list shows, to tell a user's tokens apart.
HINT_LENGTH = 10
NAME_MAX_LENGTH = 100
# Writing last_used_at on every API call would turn each read into a write.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


class ApiToken(Table, tablename="portal_api_token"):
    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    # What the user calls it: "Financieel systeem gemeente Rotterdam".
    name = Varchar(length=NAME_MAX_LENGTH)
    # Only the SHA-256 of the secret is stored.
    token_hash = Varchar(length=64, unique=True)
    hint = Varchar(length=HINT_LENGTH)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # The random value of the form that made it: the same form posted again (a browser refresh)
    # must not make a second key.
    form_nonce = Varchar(length=64, null=True, default=None, index=True)


class TokenRefused(Exception):
    """The Dutch reason a token cannot be made or used."""


class TokenAlreadyMade(TokenRefused):
    """The form that makes a key was posted a second time."""


ALREADY_MADE = (
    "Deze sleutel is al gemaakt: het formulier is nog een keer verstuurd, bijvoorbeeld door de "
    "pagina te vernieuwen. Er is geen tweede sleutel gemaakt. De geheime sleutel wordt maar één "
    "keer getoond; heeft u hem niet bewaard, trek hem dan in en maak een nieuwe."
)


def name_problem(name: str) -> str | None:
    if not name.strip():
        return "Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt."
    if len(name.strip()) > NAME_MAX_LENGTH:
        return f"Een naam heeft hoogstens {NAME_MAX_LENGTH} tekens."
    return None


async def _is_coordinator(user_id: int) -> bool:
    return await Membership.exists().where(
        (Membership.user == user_id) & (Membership.role == Role.coordinator.value)
    )


async def create_token(
    user_id: int, name: str, *, actor_id: int | None, form_nonce: str | None = None
) -> tuple[int, str]:
    """Make a token for a coordinator; returns its id and the secret, which is never stored.

    `actor_id` is who made it (the user on the portal page, None on the command line);
    `form_nonce` the value of the form on the page, refused when a key was made with it.
    """
    problem = name_problem(name)
    if problem:
        raise TokenRefused(problem)
    user = await User.select(User.name, User.active).where(User.id == user_id).first()
    if user is None or not user["active"]:
        raise TokenRefused("Dit account bestaat niet of is gedeactiveerd.")
    if not await _is_coordinator(user_id):
        raise TokenRefused("Alleen een coördinator kan een API-sleutel krijgen.")
    secret = TOKEN_PREFIX + new_token()
    name = name.strip()
    # The page's own hidden key; one that is not (empty, or longer than any we make) is none.
    nonce = form_nonce.strip() if form_nonce and 0 < len(form_nonce.strip()) <= 64 else None
    async with write_transaction():
        if nonce and await ApiToken.exists().where(
            (ApiToken.user == user_id) & (ApiToken.form_nonce == nonce)
        ):
            raise TokenAlreadyMade(ALREADY_MADE)
        rows = await ApiToken.insert(
            ApiToken(
                user=user_id,
                name=name,
                token_hash=token_hash(secret),
                hint=secret[:HINT_LENGTH],
                created_at=clock.now(),
                form_nonce=nonce,
            )
        ).returning(ApiToken.id)
        token_id = rows[0]["id"]
        await events.record(
            actor_id=actor_id,
            action="api_token_created",
            object_type="user",
            object_id=user_id,
            summary=f"API-sleutel '{name}' gemaakt voor {user['name']}",
            details={"token_id": token_id},
        )
    return token_id, secret


async def revoke_token(user_id: int, token_id: int, *, actor_id: int | None) -> bool:
    """Revoke one of the user's own tokens; False when the user has no such active token."""
    async with write_transaction():
        row = (
            await ApiToken.select(ApiToken.name)
            .where(
                (ApiToken.id == token_id)
                & (ApiToken.user == user_id)
                & ApiToken.revoked_at.is_null()
            )
            .first()
        )
        if row is None:
            return False
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(ApiToken.id == token_id)
        await events.record(
            actor_id=actor_id,
            action="api_token_revoked",
            object_type="user",
            object_id=user_id,
            summary=f"API-sleutel '{row['name']}' ingetrokken",
            details={"token_id": token_id},
        )
    return True


async def tokens_of(user_id: int) -> list[dict]:
    """The user's tokens, active ones first, newest first."""
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.hint,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id, ascending=False)
    )
    return sorted(rows, key=lambda r: r["revoked_at"] is not None)


async def authenticate(secret: str) -> Principal:
    """The principal a bearer secret acts as: its user with only their coordinator roles.

    Raises TokenRefused (Dutch) for an unknown or revoked token, a deactivated account, or a
    user who is no longer a coordinator anywhere.
    """
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.last_used_at,
            ApiToken.user.id.as_alias("user_id"),
            ApiToken.user.email.as_alias("email"),
            ApiToken.user.name.as_alias("name"),
            ApiToken.user.active.as_alias("active"),
        )
        .where((ApiToken.token_hash == token_hash(secret)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        raise TokenRefused("Deze API-sleutel is onbekend of ingetrokken.")
    if not row["active"]:
        raise TokenRefused("Het account van deze API-sleutel is gedeactiveerd.")
    # Only the coordinator roles: a token never reads as applicant, reviewer or beheerder, and
    # the networks it reaches are those in which its user coordinates.
    memberships = tuple(
        m
        for m in await memberships_of(row["user_id"])
        if m.role is Role.coordinator and m.network_id is not None
    )
    if not memberships:
        raise TokenRefused("De gebruiker van deze API-sleutel is nergens meer coördinator.")
    now = clock.now()
    last_used = row["last_used_at"]
    if last_used is None or now - clock.as_utc(last_used) > TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Principal(
        user_id=row["user_id"], email=row["email"], name=row["name"], memberships=memberships
    )
