"""Account services: log-in with throttling, log-out, password reset and invitations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.accounts import events, sessions, throttle, two_factor
from portal.accounts.events import Mail
from portal.accounts.rules import normalise_email
from portal.accounts.tables import AccountToken, LoginThrottle, SessionStage, TokenPurpose, User
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from portal.lib.settings import Settings
from portal.lib.tokens import new_token, token_hash


@dataclass(frozen=True)
class LoginResult:
    token: str | None = None
    user_id: int | None = None
    error: str | None = None
    # Anything but full: the token opens only the two-factor step.
    stage: SessionStage = SessionStage.full


LOGIN_FAILED = "Het e-mailadres of wachtwoord klopt niet."


async def log_in(
    email: str, password: str, settings: Settings, old_token: str | None
) -> LoginResult:
    email = normalise_email(email)
    now = clock.now()
    locked_until = await throttle.claim_attempt(email, settings)
    if locked_until is not None:
        # Still verify a hash so that a locked account answers as slowly as any other.
        await verify_password(DUMMY_HASH, password)
        minutes = int((locked_until - now).total_seconds() // 60) + 1
        return LoginResult(
            error=f"Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw, "
            "of vraag een nieuw wachtwoord aan."
        )
    user = await User.select().where(User.email == email).first()
    valid = await verify_password(user["password_hash"] if user else DUMMY_HASH, password)
    if not user or not valid or not user["active"]:
        await throttle.failed_attempt(email, settings, user["id"] if user else None)
        return LoginResult(error=LOGIN_FAILED)
    stage = await two_factor.stage_after_password(user["id"])
    async with write_transaction():
        if old_token:
            # A new session id at every log-in: a token planted before log-in is worthless.
            await sessions.end_session(old_token)
        token = await sessions.create_session(user["id"], stage)
        if stage is SessionStage.full:
            # With a second factor to come, the throttle stays: wrong codes count on it too.
            # A lock that attempts racing this one set meanwhile stays too.
            await LoginThrottle.delete().where(
                (LoginThrottle.email == email)
                & (LoginThrottle.locked_until.is_null() | (LoginThrottle.locked_until <= now))
            )
            await User.update({User.last_login_at: now}).where(User.id == user["id"])
            await events.record(
                actor_id=user["id"],
                action="login",
                object_type="user",
                object_id=user["id"],
                summary="Ingelogd",
            )
    return LoginResult(token=token, user_id=user["id"], stage=stage)


async def log_out(token: str, user_id: int) -> None:
    async with write_transaction():
        await sessions.end_session(token)
        await events.record(
            actor_id=user_id,
            action="logout",
            object_type="user",
            object_id=user_id,
            summary="Uitgelogd",
        )


async def request_password_reset(email: str, settings: Settings) -> None:
    """Mail a single-use link if the account exists; the caller shows the same answer either way."""
    user = (
        await User.select()
        .where(
            (User.email == normalise_email(email)) & (User.active == True)  # noqa: E712
        )
        .first()
    )
    if user is None:
        return
    token = new_token()
    async with write_transaction():
        await AccountToken.insert(
            AccountToken(
                token_hash=token_hash(token),
                user=user["id"],
                purpose=TokenPurpose.reset.value,
                expires_at=clock.now() + dt.timedelta(minutes=settings.reset_token_minutes),
            )
        )
        link = f"{settings.base_url}/wachtwoord-herstellen/{token}"
        await events.record(
            actor_id=user["id"],
            action="password_reset_requested",
            object_type="user",
            object_id=user["id"],
            summary="Nieuw wachtwoord aangevraagd",
            mails=[
                Mail(
                    to=user["email"],
                    subject="Nieuw wachtwoord voor Fondsportaal",
                    body=(
                        f"Beste {user['name']},\n\n"
                        "U heeft een nieuw wachtwoord aangevraagd. Kies het via deze link; "
                        f"die werkt één keer en {settings.reset_token_minutes} minuten lang:\n\n"
                        f"{link}\n\n"
                        "Heeft u dit niet aangevraagd? Dan kunt u dit bericht negeren.\n"
                    ),
                )
            ],
        )


async def usable_token(token: str, purpose: TokenPurpose) -> dict | None:
    """The token's row with its user's e-mail and name, if unused and not expired."""
    row = (
        await AccountToken.select(
            AccountToken.id,
            AccountToken.expires_at,
            AccountToken.used_at,
            AccountToken.user.id.as_alias("user_id"),
            AccountToken.user.email.as_alias("email"),
            AccountToken.user.name.as_alias("name"),
            AccountToken.user.active.as_alias("active"),
        )
        .where(
            (AccountToken.token_hash == token_hash(token)) & (AccountToken.purpose == purpose.value)
        )
        .first()
    )
    if (
        row is None
        or row["used_at"] is not None
        or not row["active"]
        or clock.as_utc(row["expires_at"]) <= clock.now()
    ):
        return None
    return row


TOKEN_UNUSABLE = (
    "Deze link is verlopen of al gebruikt. Vraag een nieuwe aan, of vraag de beheerder om een "
    "nieuwe uitnodiging."
)


async def set_password_with_token(
    token: str, purpose: TokenPurpose, password: str
) -> tuple[str | None, SessionStage, dict[str, str]]:
    """Set a new password through a reset or invitation link. Returns a new session token and
    its stage (a reset link is no way around the second factor), or the problems per field. The
    link is spent in the same transaction as the password change."""
    row = await usable_token(token, purpose)
    if row is None:
        return None, SessionStage.full, {"token": TOKEN_UNUSABLE}
    problem = password_problem(password, email=row["email"], name=row["name"])
    if problem:
        return None, SessionStage.full, {"password": problem}
    password_hash = await hash_password(password)
    stage = await two_factor.stage_after_password(row["user_id"])
    async with write_transaction():
        spent = (
            await AccountToken.update({AccountToken.used_at: clock.now()})
            .where((AccountToken.id == row["id"]) & (AccountToken.used_at.is_null()))
            .returning(AccountToken.id)
        )
        if not spent:
            return None, SessionStage.full, {"token": TOKEN_UNUSABLE}
        await AccountToken.update({AccountToken.used_at: clock.now()}).where(
            (AccountToken.user == row["user_id"])
            & (AccountToken.purpose == purpose.value)
            & (AccountToken.used_at.is_null())
        )
        await User.update({User.password_hash: password_hash}).where(User.id == row["user_id"])
        # Whoever knew the old password is logged out everywhere.
        await sessions.end_all_sessions(row["user_id"])
        session_token = await sessions.create_session(row["user_id"], stage)
        await events.record(
            actor_id=row["user_id"],
            action="password_set" if purpose is TokenPurpose.invitation else "password_reset",
            object_type="user",
            object_id=row["user_id"],
            summary="Wachtwoord ingesteld via uitnodiging"
            if purpose is TokenPurpose.invitation
            else "Wachtwoord hersteld via e-maillink",
        )
    return session_token, stage, {}


async def change_password(
    principal_user_id: int, current: str, new: str, repeat: str, keep_token: str | None = None
) -> dict[str, str]:
    """Change one's own password; every other session of the user ends (a session opened with
    the old password, on a lost laptop or by whoever learnt it), `keep_token` stays."""
    user = await User.select().where(User.id == principal_user_id).first()
    if user is None or not await verify_password(user["password_hash"], current):
        return {"current_password": "Uw huidige wachtwoord klopt niet."}
    if new != repeat:
        return {"password_repeat": "De twee nieuwe wachtwoorden zijn niet gelijk."}
    problem = password_problem(new, email=user["email"], name=user["name"])
    if problem:
        return {"password": problem}
    password_hash = await hash_password(new)
    async with write_transaction():
        await User.update({User.password_hash: password_hash}).where(User.id == user["id"])
        await sessions.end_other_sessions(user["id"], keep_token)
        await events.record(
            actor_id=user["id"],
            action="password_changed",
            object_type="user",
            object_id=user["id"],
            summary="Wachtwoord gewijzigd",
        )
    return {}
