"""Log-in, sessions, lockout, CSRF, password reset and invitations, on both databases."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from portal.accounts.sessions import SESSION_COOKIE, session_cookie
from portal.accounts.tables import AccountToken, OutboxMessage, Role, User, UserSession
from portal.lib import clock
from portal.lib.passwords import hash_password_sync
from portal.lib.settings import Settings
from portal.lib.tokens import token_hash
from tests import factories
from tests.factories import PASSWORD
from tests.web import csrf_token, fresh_code, log_in, post_form


async def _coordinator() -> tuple[int, str]:
    network_id = await factories.network(slug="zuid-west")
    user_id = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    return user_id, "carla@example.org"


async def test_good_login_opens_the_start_page(client: httpx.AsyncClient) -> None:
    await _coordinator()
    response = await log_in(client, "carla@example.org")
    set_cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    page = await client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url).endswith("/n/zuid-west")
    assert "Welkom, " in page.text
    row = await User.select(User.last_login_at).where(User.email == "carla@example.org").first()
    assert row["last_login_at"] is not None


async def test_session_cookie_is_secure_in_production(tmp_path) -> None:
    settings = Settings(
        database_url="sqlite:///x",
        secret_key="k" * 40,
        upload_dir=tmp_path,
        environment="production",
    )
    assert session_cookie("t", settings).secure is True
    assert (
        session_cookie(
            "t", Settings(database_url="sqlite:///x", secret_key="k" * 40, upload_dir=tmp_path)
        ).secure
        is False
    )


async def test_bad_password_is_refused_in_dutch_and_keeps_the_email(
    client: httpx.AsyncClient,
) -> None:
    await _coordinator()
    response = await post_form(client, "/login", {"email": "carla@example.org", "password": "fout"})
    assert response.status_code == 422
    assert "Het e-mailadres of wachtwoord klopt niet." in response.text
    assert 'value="carla@example.org"' in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_unknown_email_gets_the_same_answer(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/login", {"email": "niemand@example.org", "password": "x"})
    assert response.status_code == 422
    assert "Het e-mailadres of wachtwoord klopt niet." in response.text


async def test_lockout_after_repeated_failures(client: httpx.AsyncClient) -> None:
    await _coordinator()
    for _ in range(5):
        await post_form(client, "/login", {"email": "carla@example.org", "password": "fout"})
    locked = await post_form(client, "/login", {"email": "carla@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.text
    clock.travel(dt.timedelta(minutes=16))
    await log_in(client, "carla@example.org")


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await log_in(client, "carla@example.org")
    token = client.cookies[SESSION_COOKIE]
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert not await UserSession.exists().where(UserSession.token_hash == token_hash(token))
    client.cookies.set(SESSION_COOKIE, token)  # replaying the old cookie opens nothing
    page = await client.get("/account")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


async def test_login_issues_a_new_session_id(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await log_in(client, "carla@example.org")
    first = client.cookies[SESSION_COOKIE]
    await log_in(client, "carla@example.org")
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert not await UserSession.exists().where(UserSession.token_hash == token_hash(first))


async def test_planted_session_cookie_is_not_adopted(client: httpx.AsyncClient) -> None:
    await _coordinator()
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await log_in(client, "carla@example.org")
    assert client.cookies[SESSION_COOKIE] != "planted-by-an-attacker"


async def test_idle_session_expires(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await log_in(client, "carla@example.org")
    assert (await client.get("/account")).status_code == 200
    clock.travel(dt.timedelta(minutes=31))
    response = await client.get("/account")
    assert response.status_code == 303 and "/login?next=/account" in response.headers["location"]


async def test_deactivated_user_loses_the_session(client: httpx.AsyncClient) -> None:
    user_id, email = await _coordinator()
    await log_in(client, email)
    await User.update({User.active: False}).where(User.id == user_id)
    assert (await client.get("/account")).status_code == 303


async def test_form_without_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "carla@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "Laad de pagina opnieuw" in response.text
    assert "Traceback" not in response.text


async def test_htmx_request_needs_the_csrf_header(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await log_in(client, "carla@example.org")
    htmx = {"HX-Request": "true"}
    refused = await client.post("/account/wachtwoord", headers=htmx, data={})
    assert refused.status_code == 403
    accepted = await client.post(
        "/account/wachtwoord", headers={**htmx, "x-csrftoken": await csrf_token(client)}, data={}
    )
    assert accepted.status_code == 422  # past CSRF; the empty form is what is refused now


def _link(body: str, path: str) -> str:
    match = re.search(rf"http://testserver(/{path}/[\w-]+)", body)
    assert match, body
    return match.group(1)


async def _last_mail_to(email: str) -> dict:
    mail = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert mail is not None, f"no mail to {email}"
    return mail


async def test_password_reset_link_is_single_use(client: httpx.AsyncClient) -> None:
    await _coordinator()
    response = await post_form(client, "/wachtwoord-vergeten", {"email": "carla@example.org"})
    assert response.status_code == 200 and "ontvangt u binnen enkele minuten" in response.text
    link = _link((await _last_mail_to("carla@example.org"))["body"], "wachtwoord-herstellen")
    assert (await client.get(link)).status_code == 200
    new = {"password": "nieuw-en-lang-genoeg-7", "password_repeat": "nieuw-en-lang-genoeg-7"}
    done = await post_form(client, link, new)
    assert done.status_code == 303
    # A coordinator has two-factor log-in: the link sets the password but opens only the code step.
    assert done.headers["location"] == "/login/code"
    assert (await client.get("/account")).status_code == 303
    code = await post_form(client, "/login/code", {"code": await fresh_code("carla@example.org")})
    assert code.status_code == 303
    assert (await client.get("/account")).status_code == 200  # logged in by link and code
    again = await post_form(client, link, new)
    assert again.status_code == 410 and "verlopen of al gebruikt" in again.text
    client.cookies.clear()
    await log_in(client, "carla@example.org", "nieuw-en-lang-genoeg-7")


async def test_password_reset_link_expires(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await post_form(client, "/wachtwoord-vergeten", {"email": "carla@example.org"})
    link = _link((await _last_mail_to("carla@example.org"))["body"], "wachtwoord-herstellen")
    clock.travel(dt.timedelta(minutes=61))
    response = await post_form(
        client,
        link,
        {"password": "nieuw-en-lang-genoeg-7", "password_repeat": "nieuw-en-lang-genoeg-7"},
    )
    assert response.status_code == 410
    client.cookies.clear()
    await log_in(client, "carla@example.org")  # the old password still works


async def test_reset_for_unknown_email_sends_nothing(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/wachtwoord-vergeten", {"email": "onbekend@example.org"})
    assert response.status_code == 200 and "ontvangt u binnen enkele minuten" in response.text
    assert await OutboxMessage.count() == 0


async def test_reset_with_weak_password_keeps_the_link_usable(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await post_form(client, "/wachtwoord-vergeten", {"email": "carla@example.org"})
    link = _link((await _last_mail_to("carla@example.org"))["body"], "wachtwoord-herstellen")
    weak = await post_form(
        client, link, {"password": "wachtwoord123", "password_repeat": "wachtwoord123"}
    )
    assert weak.status_code == 422 and "veelgebruikte wachtwoorden" in weak.text
    assert await AccountToken.exists().where(AccountToken.used_at.is_null())


async def test_invitation_flow(client: httpx.AsyncClient) -> None:
    network_id = await factories.network(slug="zuid-west")
    region_id = await factories.region(network_id, "Midden-Holland")
    await factories.member(network_id, Role.admin, email="beheer@example.org")
    await log_in(client, "beheer@example.org")
    response = await post_form(
        client,
        "/beheer/zuid-west/gebruikers/uitnodigen",
        {
            "email": "Nieuwe.Indiener@Example.org",
            "name": "Nina Nieuw",
            "role": "region_officer",
            "region": str(region_id),
        },
    )
    assert response.status_code == 303, response.text
    mail = await _last_mail_to("nieuwe.indiener@example.org")
    link = _link(mail["body"], "uitnodiging")

    invitee = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with invitee:
        form = await invitee.get(link)
        assert form.status_code == 200 and "Nina Nieuw" in form.text
        short = await post_form(invitee, link, {"password": "kort", "password_repeat": "kort"})
        assert short.status_code == 422 and "minstens 12 tekens" in short.text
        ok = await post_form(
            invitee,
            link,
            {"password": "mijn-eigen-zin-van-mei", "password_repeat": "mijn-eigen-zin-van-mei"},
        )
        assert ok.status_code == 303
        start = await invitee.get("/", follow_redirects=True)
        assert str(start.url).endswith("/n/zuid-west")
        assert "Regio-indiener, Midden-Holland" in start.text
        assert (await invitee.get(link)).status_code == 410


async def test_invitation_form_keeps_input_and_explains(client: httpx.AsyncClient) -> None:
    network_id = await factories.network(slug="zuid-west")
    await factories.member(network_id, Role.admin, email="beheer@example.org")
    await log_in(client, "beheer@example.org")
    response = await post_form(
        client,
        "/beheer/zuid-west/gebruikers/uitnodigen",
        {
            "email": "geen-adres",
            "name": "Nina <Nieuw>",
            "role": "applicant",
        },
    )
    assert response.status_code == 422
    assert "Dit is geen geldig e-mailadres" in response.text
    assert "Een aanvrager hoort bij een organisatie" in response.text
    assert 'value="geen-adres"' in response.text
    assert "Nina &lt;Nieuw&gt;" in response.text  # kept, and escaped
    assert await User.count().where(User.email == "geen-adres") == 0


async def test_change_own_password(client: httpx.AsyncClient) -> None:
    await _coordinator()
    await log_in(client, "carla@example.org")
    wrong = await post_form(
        client,
        "/account/wachtwoord",
        {
            "current_password": "fout",
            "password": "een-nieuw-lang-wachtwoord",
            "password_repeat": "een-nieuw-lang-wachtwoord",
        },
    )
    assert wrong.status_code == 422 and "huidige wachtwoord klopt niet" in wrong.text
    ok = await post_form(
        client,
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "password": "een-nieuw-lang-wachtwoord",
            "password_repeat": "een-nieuw-lang-wachtwoord",
        },
    )
    assert ok.status_code == 303


async def test_password_hashes_are_argon2(database) -> None:
    assert hash_password_sync("iets-willekeurigs-hier").startswith("$argon2id$")


async def test_unknown_address_gives_a_dutch_404_that_knows_the_user(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/bestaat/niet")
    assert anonymous.status_code == 404 and "Pagina niet gevonden" in anonymous.text
    assert "Uitloggen" not in anonymous.text
    await _coordinator()
    await log_in(client, "carla@example.org")
    known = await client.get("/bestaat/niet")
    assert known.status_code == 404 and "Pagina niet gevonden" in known.text
    assert "Uitloggen" in known.text
    # The routes themselves still win over the catch-all.
    assert (await client.get("/account")).status_code == 200
    assert (await client.get("/static/css/fondsportaal.css")).status_code == 200
