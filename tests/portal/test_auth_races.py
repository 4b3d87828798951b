"""Log-in and password rules that must hold however many requests arrive at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar import Litestar

from portal.accounts import login as accounts
from portal.accounts import throttle
from portal.accounts.tables import Role, UserSession
from portal.lib.passwords import DUMMY_HASH
from tests import factories
from tests.factories import PASSWORD
from tests.web import csrf_token, log_in, post_form


def _client(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    )


@pytest.mark.parametrize("known", [True, False])
async def test_parallel_guesses_get_at_most_five_passwords_checked(
    known: bool, app: Litestar, monkeypatch: pytest.MonkeyPatch, database
) -> None:
    """25 wrong log-ins at once: at most five passwords are looked at, an unknown e-mail is
    answered the same way as a known one, and the right password after them meets the lock.
    (The right password inside the burst would make the test depend on the order the database
    threads finish in: a success within the first five ends the window, as it should.)"""
    network = await factories.network()
    await factories.member(network, Role.applicant, email="anna@example.org")
    email = "anna@example.org" if known else "niemand@example.org"
    checked: list[str] = []
    real_verify = accounts.verify_password

    async def counting_verify(password_hash: str, password: str) -> bool:
        if password_hash != DUMMY_HASH:
            checked.append(password)
        return await real_verify(password_hash, password)

    allowed: list[bool] = []
    real_claim = throttle.claim_attempt

    async def counting_claim(email: str, settings):
        locked_until = await real_claim(email, settings)
        allowed.append(locked_until is None)
        return locked_until

    monkeypatch.setattr(accounts, "verify_password", counting_verify)
    monkeypatch.setattr(throttle, "claim_attempt", counting_claim)
    async with _client(app) as client:
        token = await csrf_token(client)
        guesses = [f"geraden-{n}" for n in range(25)]
        responses = await asyncio.gather(
            *(
                client.post("/login", data={"email": email, "password": p, "_csrf_token": token})
                for p in guesses
            )
        )
        right = await client.post(
            "/login", data={"email": email, "password": PASSWORD, "_csrf_token": token}
        )
    assert right.status_code != 303 and "Te veel mislukte pogingen" in right.text
    assert len(allowed) == 26
    assert sum(allowed) <= 5, f"{sum(allowed)} attempts had their password checked"
    assert len(checked) <= 5
    texts = {
        "fout" if accounts.LOGIN_FAILED in r.text else "geblokkeerd"
        for r in responses
        if r.status_code != 303
    }
    assert texts <= {"fout", "geblokkeerd"}
    assert "geblokkeerd" in texts
    assert all(r.status_code < 500 for r in responses)


async def test_changing_the_password_ends_every_other_session(app: Litestar, database) -> None:
    network = await factories.network()
    await factories.member(network, Role.applicant, email="anna@example.org")
    async with _client(app) as laptop, _client(app) as phone:
        await log_in(laptop, "anna@example.org")
        await log_in(phone, "anna@example.org")
        assert await UserSession.count() == 2
        changed = await post_form(
            laptop,
            "/account/wachtwoord",
            {
                "current_password": PASSWORD,
                "password": "een-heel-nieuw-wachtwoord-7",
                "password_repeat": "een-heel-nieuw-wachtwoord-7",
            },
        )
        assert changed.status_code == 303, changed.text
        assert (await laptop.get("/account")).status_code == 200
        phone_page = await phone.get("/account")
        assert phone_page.status_code == 303
        assert phone_page.headers["location"].startswith("/login")
        assert await UserSession.count() == 1
