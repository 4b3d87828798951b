"""Log-in, log-out, password reset and invitation links."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal.accounts import login as accounts
from portal.accounts import totp
from portal.accounts.guards import LOGGED_IN, PUBLIC
from portal.accounts.layout import redirect, render, url
from portal.accounts.rules import email_problem
from portal.accounts.sessions import (
    SESSION_COOKIE,
    expired_session_cookie,
    load_pending,
    session_cookie,
)
from portal.accounts.tables import SessionStage, TokenPurpose

# Where a log-in leads when no page was asked for: the site's root, which sends everyone on
# to their start page (portal:index).
NO_TARGET = "/"


def safe_next(target: str | None) -> str:
    # Only paths on this site: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return NO_TARGET


def after_password(request: Request, stage: SessionStage, target: str) -> str:
    """Where a correct password leads: the page asked for, or first the two-factor step."""
    if stage is SessionStage.full:
        return target
    step = url(
        request, "accounts:login_code" if stage is SessionStage.code else "accounts:login_enrol"
    )
    return step if target == NO_TARGET else f"{step}?{urlencode({'next': target})}"


class AuthController(Controller):
    path = ""

    @get("/login", name="accounts:login", opt=PUBLIC)
    async def login_form(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        if request.user is not None:
            return Redirect(path=safe_next(next), status_code=303)
        token = request.cookies.get(SESSION_COOKIE)
        pending = await load_pending(token, totp.PENDING_MINUTES) if token else None
        if pending is not None:
            # Halfway through a log-in: back to the step that is waiting, not the password again.
            return Redirect(
                path=after_password(request, SessionStage(pending["stage"]), safe_next(next)),
                status_code=303,
            )
        return render(request, "portal/login.html", email="", next=safe_next(next), errors={})

    @post("/login", name="accounts:log_in", opt=PUBLIC)
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        target = safe_next(str(form.get("next", "")))
        errors: dict[str, str] = {}
        if email_problem(email):
            errors["email"] = email_problem(email) or ""
        if not password:
            errors["password"] = "Vul uw wachtwoord in."
        if errors:
            return render(
                request,
                "portal/login.html",
                status_code=422,
                email=email,
                next=target,
                errors=errors,
            )
        settings = request.app.state.settings
        result = await accounts.log_in(
            email, password, settings, request.cookies.get(SESSION_COOKIE)
        )
        if result.error or not result.token:
            status = 429 if "Te veel" in (result.error or "") else 422
            return render(
                request,
                "portal/login.html",
                status_code=status,
                email=email,
                next=target,
                errors={"form": result.error or accounts.LOGIN_FAILED},
            )
        response = Redirect(path=after_password(request, result.stage, target), status_code=303)
        response.set_cookie(session_cookie(result.token, settings))
        return response

    @post("/logout", name="accounts:logout", opt=LOGGED_IN)
    async def logout(self, request: Request) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.log_out(token, request.user.user_id)
        response = redirect(request, url(request, "accounts:login"), "U bent uitgelogd.", "info")
        response.set_cookie(expired_session_cookie(request.app.state.settings))
        return response

    @get("/wachtwoord-vergeten", name="accounts:forgot", opt=PUBLIC)
    async def forgot_form(self, request: Request) -> Template:
        return render(request, "portal/forgot.html", email="", errors={}, sent=False)

    @post("/wachtwoord-vergeten", name="accounts:forgot_send", opt=PUBLIC)
    async def forgot(self, request: Request) -> Template:
        form = await request.form()
        email = str(form.get("email", "")).strip()
        problem = email_problem(email)
        if problem:
            return render(
                request,
                "portal/forgot.html",
                status_code=422,
                email=email,
                errors={"email": problem},
                sent=False,
            )
        await accounts.request_password_reset(email, request.app.state.settings)
        # The same answer whether or not the account exists.
        return render(request, "portal/forgot.html", email=email, errors={}, sent=True)

    @get("/wachtwoord-herstellen/{token:str}", name="accounts:reset", opt=PUBLIC)
    async def reset_form(self, request: Request, token: FromPath[str]) -> Template:
        return await self._password_form(request, token, TokenPurpose.reset)

    @post("/wachtwoord-herstellen/{token:str}", name="accounts:reset_save", opt=PUBLIC)
    async def reset(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        return await self._set_password(request, token, TokenPurpose.reset)

    @get("/uitnodiging/{token:str}", name="accounts:invitation", opt=PUBLIC)
    async def invitation_form(self, request: Request, token: FromPath[str]) -> Template:
        return await self._password_form(request, token, TokenPurpose.invitation)

    @post("/uitnodiging/{token:str}", name="accounts:invitation_accept", opt=PUBLIC)
    async def accept_invitation(
        self, request: Request, token: FromPath[str]
    ) -> Template | Redirect:
        return await self._set_password(request, token, TokenPurpose.invitation)

    async def _password_form(self, request: Request, token: str, purpose: TokenPurpose) -> Template:
        row = await accounts.usable_token(token, purpose)
        errors = {} if row else {"token": accounts.TOKEN_UNUSABLE}
        return render(
            request,
            "portal/set_password.html",
            status_code=200 if row else 410,
            purpose=purpose.value,
            account=row,
            errors=errors,
        )

    async def _set_password(
        self, request: Request, token: str, purpose: TokenPurpose
    ) -> Template | Redirect:
        form = await request.form()
        password = str(form.get("password", ""))
        repeat = str(form.get("password_repeat", ""))
        if password != repeat:
            row = await accounts.usable_token(token, purpose)
            return render(
                request,
                "portal/set_password.html",
                status_code=422,
                purpose=purpose.value,
                account=row,
                errors={"password_repeat": "De twee wachtwoorden zijn niet gelijk."},
            )
        session_token, stage, errors = await accounts.set_password_with_token(
            token, purpose, password
        )
        if errors or not session_token:
            row = await accounts.usable_token(token, purpose)
            return render(
                request,
                "portal/set_password.html",
                status_code=422 if row else 410,
                purpose=purpose.value,
                account=row,
                errors=errors,
            )
        message = (
            "Welkom! Uw wachtwoord is ingesteld en u bent ingelogd."
            if purpose is TokenPurpose.invitation
            else "Uw nieuwe wachtwoord is ingesteld en u bent ingelogd."
        )
        if stage is not SessionStage.full:
            response = Redirect(path=after_password(request, stage, NO_TARGET), status_code=303)
        else:
            response = redirect(request, url(request, "portal:index"), message)
        response.set_cookie(session_cookie(session_token, request.app.state.settings))
        return response
