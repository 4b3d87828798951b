"""Two-factor log-in pages: the code step and the enrolment step of a log-in, and the account page
where any user turns it on, renews recovery codes or (where the role allows) turns it off.

The log-in steps are public routes: a half-logged-in user is nobody to the guard, so no other page
can be reached by mistake; these handlers find the pending log-in from the session cookie.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.accounts import sessions, totp, two_factor
from portal.accounts.controllers.auth import safe_next
from portal.accounts.guards import LOGGED_IN, PUBLIC
from portal.accounts.layout import redirect, render, url
from portal.accounts.sessions import SESSION_COOKIE, expired_session_cookie, session_cookie
from portal.accounts.tables import SessionStage

LAPSED = "Uw inlogpoging is verlopen of afgebroken. Log opnieuw in."
TOO_MANY = "Te veel verkeerde codes. Log opnieuw in met uw wachtwoord."
RECOVERY_FEW = 3


def _private(response: Template) -> Template:
    # Secrets and recovery codes must not stay in a browser or proxy cache.
    response.headers["cache-control"] = "no-store"
    return response


async def _pending(request: Request, stage: SessionStage) -> dict | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = await sessions.load_pending(token, totp.PENDING_MINUTES)
    if row is None or row["stage"] != stage.value:
        return None
    return row


def _start_again(request: Request, message: str = LAPSED) -> Redirect:
    if request.user is not None:
        # Already logged in (a step page reloaded, or opened in a second tab): nothing to redo,
        # and the cookie of the full session must stay.
        return Redirect(path=url(request, "portal:index"), status_code=303)
    response = redirect(request, url(request, "accounts:login"), message, "error")
    response.set_cookie(expired_session_cookie(request.app.state.settings))
    return response


async def _used_up(request: Request, pending: dict) -> bool:
    """Count a refused code against the half log-in; True when it may not try again."""
    return await two_factor.count_code_failure(
        pending["id"], pending["user_id"], pending["email"], request.app.state.settings
    )


def _logged_in(request: Request, token: str, target: str, flash: str | None = None) -> Redirect:
    response = redirect(request, target, flash, "warning" if flash else "ok")
    response.set_cookie(session_cookie(token, request.app.state.settings))
    return response


class TwoFactorLoginController(Controller):
    path = "/login"

    @get("/code", name="accounts:login_code", opt=PUBLIC)
    async def code_form(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        pending = await _pending(request, SessionStage.code)
        if pending is None:
            return _start_again(request)
        return _private(
            render(
                request,
                "portal/two_factor/code.html",
                next=safe_next(next),
                code="",
                errors={},
            )
        )

    @post("/code", name="accounts:login_code_check", opt=PUBLIC)
    async def code(self, request: Request) -> Template | Redirect:
        pending = await _pending(request, SessionStage.code)
        if pending is None:
            return _start_again(request)
        form = await request.form()
        target = safe_next(str(form.get("next", "")))
        typed = str(form.get("code", ""))
        result = await two_factor.check_code(pending["user_id"], typed)
        if not result.ok:
            if typed.strip() and await _used_up(request, pending):
                return _start_again(request, TOO_MANY)
            return _private(
                render(
                    request,
                    "portal/two_factor/code.html",
                    status_code=422,
                    next=target,
                    code=typed[:40],
                    errors={"code": result.error or totp.CODE_INVALID},
                )
            )
        token = await two_factor.complete_login(pending["id"], pending["user_id"], pending["email"])
        flash = None
        if result.used_recovery:
            flash = f"U bent ingelogd met een herstelcode; u heeft er nog {result.recovery_left}."
            if result.recovery_left < RECOVERY_FEW:
                flash += " Maak nieuwe herstelcodes via Mijn account."
        return _logged_in(request, token, target, flash)

    @get("/tweestaps-instellen", name="accounts:login_enrol", opt=PUBLIC)
    async def enrol_form(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        pending = await _pending(request, SessionStage.enrol)
        if pending is None:
            return _start_again(request)
        return await _enrolment_page(
            request,
            pending["user_id"],
            pending["email"],
            url(request, "accounts:login_enrol_confirm"),
            safe_next(next),
            {},
        )

    @post("/tweestaps-instellen", name="accounts:login_enrol_confirm", opt=PUBLIC)
    async def enrol(self, request: Request) -> Template | Redirect:
        pending = await _pending(request, SessionStage.enrol)
        if pending is None:
            return _start_again(request)
        form = await request.form()
        target = safe_next(str(form.get("next", "")))
        codes, problem = await two_factor.confirm_enrolment(
            pending["user_id"], str(form.get("code", ""))
        )
        if codes is None:
            if await _used_up(request, pending):
                return _start_again(request, TOO_MANY)
            return await _enrolment_page(
                request,
                pending["user_id"],
                pending["email"],
                url(request, "accounts:login_enrol_confirm"),
                target,
                {"code": problem or totp.CODE_INVALID},
                status_code=422,
            )
        token = await two_factor.complete_login(pending["id"], pending["user_id"], pending["email"])
        response = _private(
            render(request, "portal/two_factor/recovery_codes.html", codes=codes, next=target)
        )
        response.cookies.append(session_cookie(token, request.app.state.settings))
        return response

    @post("/annuleren", name="accounts:login_cancel", opt=PUBLIC)
    async def cancel(self, request: Request) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await two_factor.cancel_pending(token)
        return _start_again(request, "U bent niet ingelogd.")


async def _enrolment_page(
    request: Request,
    user_id: int,
    email: str,
    action: str,
    target: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    secret = await two_factor.pending_secret(user_id)
    uri = totp.provisioning_uri(secret, email)
    return _private(
        render(
            request,
            "portal/two_factor/enrol.html",
            status_code=status_code,
            action=action,
            next=target,
            qr_svg=totp.qr_svg(uri),
            secret=totp.group_secret(secret),
            required=await two_factor.is_required(user_id),
            errors=errors,
        )
    )


class TwoFactorAccountController(Controller):
    path = "/account/tweestaps"

    @get("/", name="accounts:two_factor", opt=LOGGED_IN)
    async def overview(self, request: Request) -> Template:
        return _private(await _overview(request, {}))

    @post("/instellen", name="accounts:two_factor_start", opt=LOGGED_IN)
    async def start(self, request: Request) -> Template | Redirect:
        state = await two_factor.status(request.user.user_id)
        if state["enabled"]:
            return redirect(
                request, url(request, "accounts:two_factor"), "Tweestapsverificatie staat al aan."
            )
        return await _enrolment_page(
            request,
            request.user.user_id,
            request.user.email,
            url(request, "accounts:two_factor_confirm"),
            url(request, "accounts:two_factor"),
            {},
        )

    @post("/bevestigen", name="accounts:two_factor_confirm", opt=LOGGED_IN)
    async def confirm(self, request: Request) -> Template | Redirect:
        form = await request.form()
        codes, problem = await two_factor.confirm_enrolment(
            request.user.user_id, str(form.get("code", ""))
        )
        if codes is None:
            return await _enrolment_page(
                request,
                request.user.user_id,
                request.user.email,
                url(request, "accounts:two_factor_confirm"),
                url(request, "accounts:two_factor"),
                {"code": problem or totp.CODE_INVALID},
                status_code=422,
            )
        return _private(
            render(
                request,
                "portal/two_factor/recovery_codes.html",
                codes=codes,
                next=url(request, "accounts:two_factor"),
            )
        )

    @post("/herstelcodes", name="accounts:two_factor_codes", opt=LOGGED_IN)
    async def renew_codes(self, request: Request) -> Template:
        form = await request.form()
        codes, problem = await two_factor.regenerate_recovery_codes(
            request.user.user_id, str(form.get("renew_code", ""))
        )
        if codes is None:
            return _private(
                await _overview(request, {"renew_code": problem or ""}, status_code=422)
            )
        return _private(
            render(
                request,
                "portal/two_factor/recovery_codes.html",
                codes=codes,
                next=url(request, "accounts:two_factor"),
            )
        )

    @post("/uitzetten", name="accounts:two_factor_off", opt=LOGGED_IN)
    async def turn_off(self, request: Request) -> Template | Redirect:
        form = await request.form()
        problem = await two_factor.disable(request.user.user_id, str(form.get("off_code", "")))
        if problem:
            return _private(await _overview(request, {"off_code": problem}, status_code=422))
        return redirect(
            request, url(request, "accounts:two_factor"), "Tweestapsverificatie staat nu uit."
        )


async def _overview(request: Request, errors: dict[str, str], status_code: int = 200) -> Template:
    return render(
        request,
        "portal/two_factor/account.html",
        status_code=status_code,
        state=await two_factor.status(request.user.user_id),
        errors=errors,
    )
