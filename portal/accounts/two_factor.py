"""Two-factor log-in services: enrolment, the code step of a log-in, recovery codes, reset.

The only writers of the TOTP columns, the recovery codes and the session stage. Every change is
in the audit log; codes and secrets never are.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts import events, sessions, throttle, totp
from portal.accounts.tables import (
    LoginThrottle,
    Membership,
    RecoveryCode,
    Role,
    SessionStage,
    User,
    UserSession,
)
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.settings import Settings
from portal.lib.tokens import token_hash


@dataclass(frozen=True)
class CodeResult:
    ok: bool
    error: str | None = None
    used_recovery: bool = False
    recovery_left: int = 0


class _Refused(Exception):
    """Raised inside a write transaction to undo it (the form's key stays unused), with the
    Dutch reason."""


async def _audit(user_id: int, action: str, summary: str) -> None:
    """An event the user caused on their own account; call inside the write's transaction."""
    await events.record(
        actor_id=user_id, action=action, object_type="user", object_id=user_id, summary=summary
    )


async def roles_of(user_id: int) -> set[Role]:
    rows = await Membership.select(Membership.role).where(Membership.user == user_id)
    return {Role(r["role"]) for r in rows}


async def is_required(user_id: int) -> bool:
    return totp.required_for(await roles_of(user_id))


async def stage_after_password(user_id: int) -> SessionStage:
    """What a correct password opens: the code step for the enrolled, the enrolment step for a
    coordinator or admin who has none yet, a full session for everyone else."""
    user = await User.select(User.totp_enabled_at).where(User.id == user_id).first()
    if user and user["totp_enabled_at"] is not None:
        return SessionStage.code
    if await is_required(user_id):
        return SessionStage.enrol
    return SessionStage.full


async def status(user_id: int) -> dict:
    user = (
        await User.select(User.totp_secret, User.totp_enabled_at).where(User.id == user_id).first()
    )
    left = await RecoveryCode.count().where(
        (RecoveryCode.user == user_id) & (RecoveryCode.used_at.is_null())
    )
    return {
        "enabled": bool(user and user["totp_enabled_at"] is not None),
        "enabled_at": user["totp_enabled_at"] if user else None,
        "required": await is_required(user_id),
        "recovery_left": left,
    }


async def pending_secret(user_id: int) -> str:
    """The secret to enrol with: the same one on every reload until it is confirmed, so the QR
    code a user already scanned stays valid."""
    user = (
        await User.select(User.totp_secret, User.totp_enabled_at).where(User.id == user_id).first()
    )
    if user is None:
        raise LookupError(user_id)
    if user["totp_enabled_at"] is None and user["totp_secret"]:
        return user["totp_secret"]
    if user["totp_enabled_at"] is not None:
        raise ValueError("two-factor log-in is already on")
    secret = totp.new_secret()
    async with write_transaction():
        await User.update({User.totp_secret: secret}).where(
            (User.id == user_id) & (User.totp_enabled_at.is_null())
        )
    return secret


async def confirm_enrolment(user_id: int, typed: str) -> tuple[list[str] | None, str | None]:
    """Turn two-factor log-in on once the app shows the right code. Returns the new recovery
    codes (to show once) or a Dutch problem."""
    if not typed.strip():
        return None, totp.CODE_MISSING
    codes = totp.new_recovery_codes()
    try:
        # Asked inside the transaction, after the form's key: a repeat of the same form stops
        # there instead of finding it switched on already.
        async with write_transaction():
            user = (
                await User.select(User.totp_secret, User.totp_enabled_at, User.totp_last_step)
                .where(User.id == user_id)
                .first()
            )
            if user is None or user["totp_enabled_at"] is not None or not user["totp_secret"]:
                raise _Refused(
                    "Tweestapsverificatie staat al aan, of het instellen is niet begonnen."
                )
            step = totp.accepted_step(
                user["totp_secret"], typed, user["totp_last_step"], clock.now()
            )
            if step is None:
                raise _Refused(
                    "Deze code klopt niet. Controleer of u de QR-code van deze pagina gebruikt."
                )
            changed = (
                await User.update({User.totp_enabled_at: clock.now(), User.totp_last_step: step})
                .where((User.id == user_id) & (User.totp_enabled_at.is_null()))
                .returning(User.id)
            )
            if not changed:
                raise _Refused("Tweestapsverificatie staat al aan.")
            await _replace_recovery_codes(user_id, codes)
            await _audit(user_id, "two_factor_enabled", "Tweestapsverificatie aangezet")
    except _Refused as refused:
        return None, str(refused)
    return codes, None


async def _replace_recovery_codes(user_id: int, codes: list[str]) -> None:
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await RecoveryCode.insert(
        *[RecoveryCode(user=user_id, code_hash=totp.recovery_hash(code)) for code in codes]
    )


async def check_code(user_id: int, typed: str) -> CodeResult:
    """Spend a code from the app or a recovery code. A code is accepted at most once: the step
    (or the recovery code) is marked in a conditional update, so two requests racing with the
    same code cannot both win."""
    if not typed.strip():
        return CodeResult(ok=False, error=totp.CODE_MISSING)
    user = (
        await User.select(User.totp_secret, User.totp_enabled_at, User.totp_last_step)
        .where(User.id == user_id)
        .first()
    )
    if user is None or user["totp_enabled_at"] is None:
        return CodeResult(ok=False, error=totp.CODE_INVALID)
    now = clock.now()
    if totp.looks_like_app_code(typed):
        step = totp.accepted_step(user["totp_secret"], typed, user["totp_last_step"], now)
        if step is None:
            replayed = totp.was_replayed(user["totp_secret"], typed, user["totp_last_step"], now)
            return CodeResult(ok=False, error=totp.CODE_REUSED if replayed else totp.CODE_INVALID)
        async with write_transaction():
            won = (
                await User.update({User.totp_last_step: step})
                .where((User.id == user_id) & (User.totp_last_step < step))
                .returning(User.id)
            )
        return CodeResult(ok=True) if won else CodeResult(ok=False, error=totp.CODE_REUSED)
    async with write_transaction():
        spent = (
            await RecoveryCode.update({RecoveryCode.used_at: now})
            .where(
                (RecoveryCode.user == user_id)
                & (RecoveryCode.code_hash == totp.recovery_hash(typed))
                & (RecoveryCode.used_at.is_null())
            )
            .returning(RecoveryCode.id)
        )
        if not spent:
            return CodeResult(ok=False, error=totp.CODE_INVALID)
        left = await RecoveryCode.count().where(
            (RecoveryCode.user == user_id) & (RecoveryCode.used_at.is_null())
        )
        await _audit(user_id, "recovery_code_used", f"Ingelogd met een herstelcode ({left} over)")
    return CodeResult(ok=True, used_recovery=True, recovery_left=left)


async def complete_login(session_id: int, user_id: int, email: str) -> str:
    """The second factor is given: the half session makes way for a full one with a new token,
    so that whatever token the first step handed out is worth nothing afterwards."""
    async with write_transaction():
        await UserSession.delete().where(UserSession.id == session_id)
        await LoginThrottle.delete().where(LoginThrottle.email == email)
        await User.update({User.last_login_at: clock.now()}).where(User.id == user_id)
        token = await sessions.create_session(user_id)
        await _audit(user_id, "login", "Ingelogd met tweestapsverificatie")
    return token


async def count_code_failure(session_id: int, user_id: int, email: str, settings: Settings) -> bool:
    """A wrong code counts against the pending log-in and against the e-mail's log-in throttle,
    so that guessing codes is as slow as guessing passwords. True when the pending log-in is
    used up and the user must start again."""
    async with write_transaction():
        await UserSession.update({UserSession.code_failures: UserSession.code_failures + 1}).where(
            UserSession.id == session_id
        )
        row = (
            await UserSession.select(UserSession.code_failures)
            .where(UserSession.id == session_id)
            .first()
        )
        exhausted = row is None or row["code_failures"] >= totp.MAX_CODE_FAILURES
        if exhausted:
            await UserSession.delete().where(UserSession.id == session_id)
    await throttle.count_failure(email, settings, user_id, action="two_factor_failed")
    return exhausted


async def cancel_pending(token: str) -> None:
    await UserSession.delete().where(
        (UserSession.token_hash == token_hash(token))
        & (UserSession.stage != SessionStage.full.value)
    )


async def regenerate_recovery_codes(
    user_id: int, typed: str
) -> tuple[list[str] | None, str | None]:
    codes = totp.new_recovery_codes()
    try:
        # The code is spent and the codes replaced in one transaction, which claims the form's
        # key first: a repeat of the same form stops there, not at "this code was used".
        async with write_transaction():
            result = await check_code(user_id, typed)
            if not result.ok:
                raise _Refused(result.error or totp.CODE_INVALID)
            await _replace_recovery_codes(user_id, codes)
            await _audit(
                user_id,
                "recovery_codes_renewed",
                "Nieuwe herstelcodes gemaakt; de oude werken niet meer",
            )
    except _Refused as refused:
        return None, str(refused)
    return codes, None


async def disable(user_id: int, typed: str) -> str | None:
    """Turn it off with a valid code; never for a role that requires it."""
    if await is_required(user_id):
        return "Voor uw rol is tweestapsverificatie verplicht; u kunt die niet uitzetten."
    try:
        # As above: one transaction, the form's key first.
        async with write_transaction():
            result = await check_code(user_id, typed)
            if not result.ok:
                raise _Refused(result.error or totp.CODE_INVALID)
            await _clear(user_id)
            await _audit(user_id, "two_factor_disabled", "Tweestapsverificatie uitgezet")
    except _Refused as refused:
        return str(refused)
    return None


async def _clear(user_id: int) -> None:
    await User.update(
        {User.totp_secret: "", User.totp_enabled_at: None, User.totp_last_step: 0}
    ).where(User.id == user_id)
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)


async def reset_by_admin(actor_id: int, user_id: int, network_id: int | None) -> None:
    """For a user who lost both phone and recovery codes: the admin clears the second factor and
    ends the user's sessions; at the next log-in the user sets it up again (required roles) or
    logs in with the password alone (others)."""
    async with write_transaction():
        await _clear(user_id)
        await sessions.end_all_sessions(user_id)
        await events.record(
            actor_id=actor_id,
            network_id=network_id,
            action="two_factor_reset",
            object_type="user",
            object_id=user_id,
            summary="Tweestapsverificatie hersteld door de beheerder; opnieuw instellen bij "
            "de volgende log-in",
        )
