"""Two-factor log-in (TOTP): the pure rules, enrolment, log-in with and without the code,
recovery codes, the admin's reset, and who must use it; the web parts on both databases."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pyotp
import pytest

from portal.accounts import totp
from portal.accounts.sessions import SESSION_COOKIE
from portal.accounts.tables import AuditEvent, LoginThrottle, RecoveryCode, Role, User, UserSession
from portal.lib import clock
from tests import factories
from tests.factories import PASSWORD, TOTP_SECRET
from tests.web import fresh_code, log_in, post_form

NOW = dt.datetime(2026, 11, 30, 12, 0, 15, tzinfo=dt.UTC)
SECRET = pyotp.random_base32()


# ---- pure rules --------------------------------------------------------------------------


def test_required_for_coordinators_and_admins_only() -> None:
    assert totp.required_for([Role.coordinator])
    assert totp.required_for([Role.applicant, Role.admin])
    assert not totp.required_for([Role.applicant, Role.region_officer, Role.reviewer])
    assert not totp.required_for([])


def test_current_and_neighbouring_codes_are_accepted_once() -> None:
    code = pyotp.TOTP(SECRET).at(NOW)
    step = totp.accepted_step(SECRET, code, 0, NOW)
    assert step == totp.time_step(NOW)
    # The same code again: refused, and recognised as a replay.
    assert totp.accepted_step(SECRET, code, step, NOW) is None
    assert totp.was_replayed(SECRET, code, step, NOW)
    # A phone clock half a minute behind or ahead still works; two steps off does not.
    assert totp.accepted_step(SECRET, pyotp.TOTP(SECRET).at(NOW - dt.timedelta(seconds=30)), 0, NOW)
    assert totp.accepted_step(SECRET, pyotp.TOTP(SECRET).at(NOW + dt.timedelta(seconds=30)), 0, NOW)
    stale = pyotp.TOTP(SECRET).at(NOW - dt.timedelta(seconds=90))
    if stale not in {pyotp.TOTP(SECRET).at(NOW + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}:
        assert totp.accepted_step(SECRET, stale, 0, NOW) is None


def test_codes_are_read_forgivingly_but_wrong_ones_refused() -> None:
    code = pyotp.TOTP(SECRET).at(NOW)
    assert totp.accepted_step(SECRET, f" {code[:3]} {code[3:]} ", 0, NOW) is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert totp.accepted_step(SECRET, wrong, 0, NOW) is None
    assert totp.accepted_step(SECRET, "abcdef", 0, NOW) is None
    assert totp.accepted_step("", code, 0, NOW) is None


def test_recovery_codes_are_distinct_and_hashed_ignoring_case_and_dashes() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == totp.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    code = codes[0]
    assert totp.recovery_hash(code) == totp.recovery_hash(code.upper().replace("-", " "))
    assert totp.recovery_hash(code) != totp.recovery_hash(codes[1])


def test_enrolment_qr_code_is_inline_svg_with_the_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SECRET, "carla@example.org")
    assert uri.startswith("otpauth://totp/Fondsportaal:carla%40example.org?secret=")
    assert "issuer=Fondsportaal" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    # Scalable as a whole by CSS: a viewBox, no fixed size (a fixed size was cropped on screen).
    assert "viewBox=" in svg and "width=" not in svg.split(">", 1)[0]


# ---- web ---------------------------------------------------------------------------------


async def _network() -> int:
    return await factories.network(slug="zuid-west")


async def _password_step(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return response


async def _new_coordinator_without_two_factor(network_id: int, email: str) -> int:
    user_id = await factories.member(network_id, Role.coordinator, email=email)
    await User.update({User.totp_secret: "", User.totp_enabled_at: None}).where(User.id == user_id)
    return user_id


async def _events(user_id: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.object_id == str(user_id))
    return [r["action"] for r in rows]


async def test_coordinator_without_two_factor_must_enrol_before_anything_else(
    client: httpx.AsyncClient,
) -> None:
    network_id = await _network()
    user_id = await _new_coordinator_without_two_factor(network_id, "carla@example.org")
    response = await _password_step(client, "carla@example.org")
    assert response.headers["location"] == "/login/tweestaps-instellen"

    # Halfway, the user is nobody: every page still asks to log in.
    blocked = await client.get("/n/zuid-west")
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/login")
    assert (await client.get("/login")).headers["location"] == "/login/tweestaps-instellen"

    page = await client.get("/login/tweestaps-instellen")
    assert page.status_code == 200
    assert "<svg" in page.text and "Tweestapsverificatie instellen" in page.text
    assert page.headers["cache-control"] == "no-store"
    secret = (await User.select(User.totp_secret).where(User.id == user_id).first())["totp_secret"]
    assert secret and totp.group_secret(secret) in page.text
    # Reloading keeps the same secret: a QR code already scanned stays good.
    await client.get("/login/tweestaps-instellen")
    again = await User.select(User.totp_secret).where(User.id == user_id).first()
    assert again["totp_secret"] == secret

    wrong = await post_form(client, "/login/tweestaps-instellen", {"code": "000000"})
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.text
    assert (await client.get("/n/zuid-west")).status_code == 303

    done = await post_form(
        client, "/login/tweestaps-instellen", {"code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert done.status_code == 200 and "Uw herstelcodes" in done.text
    assert done.headers["cache-control"] == "no-store"
    shown = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", done.text)
    assert len(shown) == totp.RECOVERY_CODE_COUNT
    stored = await RecoveryCode.select(RecoveryCode.code_hash).where(RecoveryCode.user == user_id)
    assert {r["code_hash"] for r in stored} == {totp.recovery_hash(c) for c in shown}
    assert (await client.get("/n/zuid-west")).status_code == 200
    assert "two_factor_enabled" in await _events(user_id)


async def test_log_in_needs_the_code_and_the_code_step_rotates_the_session(
    client: httpx.AsyncClient,
) -> None:
    network_id = await _network()
    user_id = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    first = await _password_step(client, "carla@example.org")
    assert first.headers["location"] == "/login/code"
    half_token = client.cookies[SESSION_COOKIE]
    assert (await client.get("/n/zuid-west")).status_code == 303
    # The password alone does not count as a log-in, nor does it clear the throttle.
    assert "login" not in await _events(user_id)

    wrong = await post_form(client, "/login/code", {"code": "000000"})
    assert wrong.status_code == 422 and totp.CODE_INVALID in wrong.text
    assert 'value="000000"' in wrong.text  # what was typed stays, to see the mistake
    empty = await post_form(client, "/login/code", {"code": ""})
    assert empty.status_code == 422 and totp.CODE_MISSING in empty.text

    code = await fresh_code("carla@example.org")
    done = await post_form(client, "/login/code", {"code": code, "next": "/account"})
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert client.cookies[SESSION_COOKIE] != half_token
    assert (await client.get("/n/zuid-west")).status_code == 200
    assert await UserSession.count().where(UserSession.user == user_id) == 1
    assert "login" in await _events(user_id)

    # The same code cannot open a second session.
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        await _password_step(other, "carla@example.org")
        replay = await post_form(other, "/login/code", {"code": code})
        assert replay.status_code == 422 and totp.CODE_REUSED in replay.text
        assert (await other.get("/n/zuid-west")).status_code == 303


async def test_too_many_wrong_codes_end_the_attempt_and_count_on_the_throttle(
    client: httpx.AsyncClient,
) -> None:
    network_id = await _network()
    user_id = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await _password_step(client, "carla@example.org")
    for _ in range(totp.MAX_CODE_FAILURES - 1):
        response = await post_form(client, "/login/code", {"code": "000000"})
        assert response.status_code == 422
    last = await post_form(client, "/login/code", {"code": "000000"})
    assert last.status_code == 303 and last.headers["location"] == "/login"
    assert await UserSession.count().where(UserSession.user == user_id) == 0
    # The right code is now useless: the half log-in is gone.
    late = await post_form(client, "/login/code", {"code": await fresh_code("carla@example.org")})
    assert late.status_code == 303 and late.headers["location"] == "/login"
    # The wrong codes locked the e-mail like wrong passwords do (default: 5 failures).
    throttle = (
        await LoginThrottle.select().where(LoginThrottle.email == "carla@example.org").first()
    )
    assert throttle is not None and throttle["locked_until"] is not None
    locked = await post_form(client, "/login", {"email": "carla@example.org", "password": PASSWORD})
    assert locked.status_code == 429


async def test_half_log_in_lapses(client: httpx.AsyncClient) -> None:
    network_id = await _network()
    await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await _password_step(client, "carla@example.org")
    clock.travel(dt.timedelta(minutes=totp.PENDING_MINUTES + 1))
    response = await post_form(
        client, "/login/code", {"code": await fresh_code("carla@example.org")}
    )
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/n/zuid-west")).status_code == 303


async def test_recovery_code_logs_in_once(client: httpx.AsyncClient) -> None:
    network_id = await _network()
    user_id = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await log_in(client, "carla@example.org")
    renewed = await post_form(
        client,
        "/account/tweestaps/herstelcodes",
        {"renew_code": await fresh_code("carla@example.org")},
    )
    assert renewed.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", renewed.text)
    assert len(codes) == totp.RECOVERY_CODE_COUNT

    client.cookies.clear()
    await _password_step(client, "carla@example.org")
    done = await post_form(client, "/login/code", {"code": codes[0].upper()})
    assert done.status_code == 303
    assert (await client.get("/n/zuid-west")).status_code == 200
    assert "recovery_code_used" in await _events(user_id)

    client.cookies.clear()
    await _password_step(client, "carla@example.org")
    spent = await post_form(client, "/login/code", {"code": codes[0]})
    assert spent.status_code == 422 and totp.CODE_INVALID in spent.text


async def test_renewed_recovery_codes_replace_the_old_ones(client: httpx.AsyncClient) -> None:
    network_id = await _network()
    await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await log_in(client, "carla@example.org")
    wrong = await post_form(client, "/account/tweestaps/herstelcodes", {"renew_code": "123"})
    assert wrong.status_code == 422 and totp.CODE_INVALID in wrong.text
    first = await post_form(
        client,
        "/account/tweestaps/herstelcodes",
        {"renew_code": await fresh_code("carla@example.org")},
    )
    old = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", first.text)
    second = await post_form(client, "/account/tweestaps/herstelcodes", {"renew_code": old[0]})
    assert second.status_code == 200
    new = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", second.text)
    assert not set(old) & set(new)
    client.cookies.clear()
    await _password_step(client, "carla@example.org")
    stale = await post_form(client, "/login/code", {"code": old[1]})
    assert stale.status_code == 422


async def test_others_may_turn_it_on_and_off_coordinators_may_not_turn_it_off(
    client: httpx.AsyncClient,
) -> None:
    network_id = await _network()
    region_id = await factories.region(network_id)
    await factories.member(
        network_id, Role.region_officer, email="rik@example.org", region_id=region_id
    )
    first = await _password_step(client, "rik@example.org")
    assert first.headers["location"] == "/"  # optional for a region officer: no code asked
    overview = await client.get("/account/tweestaps")
    assert overview.status_code == 200 and 'data-two-factor="uit"' in overview.text

    start = await post_form(client, "/account/tweestaps/instellen")
    assert start.status_code == 200 and "<svg" in start.text
    secret = (await User.select(User.totp_secret).where(User.email == "rik@example.org").first())[
        "totp_secret"
    ]
    bad = await post_form(client, "/account/tweestaps/bevestigen", {"code": "12"})
    assert bad.status_code == 422 and "<svg" in bad.text
    ok = await post_form(
        client, "/account/tweestaps/bevestigen", {"code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert ok.status_code == 200 and "Uw herstelcodes" in ok.text
    assert 'data-two-factor="aan"' in (await client.get("/account/tweestaps")).text

    client.cookies.clear()
    assert (await _password_step(client, "rik@example.org")).headers["location"] == "/login/code"
    await post_form(client, "/login/code", {"code": await fresh_code("rik@example.org", secret)})
    off = await post_form(
        client,
        "/account/tweestaps/uitzetten",
        {"off_code": await fresh_code("rik@example.org", secret)},
    )
    assert off.status_code == 303
    client.cookies.clear()
    assert (await _password_step(client, "rik@example.org")).headers["location"] == "/"

    await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await log_in(client, "carla@example.org")
    refused = await post_form(
        client,
        "/account/tweestaps/uitzetten",
        {"off_code": await fresh_code("carla@example.org")},
    )
    assert refused.status_code == 422 and "verplicht" in refused.text
    row = await User.select(User.totp_enabled_at).where(User.email == "carla@example.org").first()
    assert row["totp_enabled_at"] is not None


async def test_admin_reset_sends_the_user_back_to_enrolment(client: httpx.AsyncClient) -> None:
    network_id = await _network()
    coordinator = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    admin = await factories.member(network_id, Role.admin, email="beheer@example.org")
    superadmin = await factories.member(None, Role.admin, email="super@example.org")
    await factories.member(network_id, Role.reviewer, user_id=superadmin)

    carla = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with carla:
        await log_in(carla, "carla@example.org")
        assert (await carla.get("/n/zuid-west")).status_code == 200

        await log_in(client, "beheer@example.org")
        page = await client.get(f"/beheer/zuid-west/gebruikers/{coordinator}")
        assert "Tweestapsverificatie herstellen" in page.text
        reset = await post_form(
            client, f"/beheer/zuid-west/gebruikers/{coordinator}/tweestaps-herstellen"
        )
        assert reset.status_code == 303
        # Carla is logged out everywhere and must set it up again.
        assert (await carla.get("/n/zuid-west")).status_code == 303
        carla.cookies.clear()
        again = await _password_step(carla, "carla@example.org")
        assert again.headers["location"] == "/login/tweestaps-instellen"
    assert await RecoveryCode.count().where(RecoveryCode.user == coordinator) == 0
    assert "two_factor_reset" in await _events(coordinator)

    # Not one's own, and a network's admin cannot weaken the superadmin's log-in.
    own = await post_form(client, f"/beheer/zuid-west/gebruikers/{admin}/tweestaps-herstellen")
    assert own.status_code == 303
    boss = await post_form(
        client, f"/beheer/zuid-west/gebruikers/{superadmin}/tweestaps-herstellen"
    )
    assert boss.status_code == 303
    for user_id in (admin, superadmin):
        row = await User.select(User.totp_enabled_at).where(User.id == user_id).first()
        assert row["totp_enabled_at"] is not None
    # Someone outside the network is not there to reset.
    other = await factories.network(slug="noord")
    stranger = await factories.member(other, Role.coordinator)
    missing = await post_form(
        client, f"/beheer/zuid-west/gebruikers/{stranger}/tweestaps-herstellen"
    )
    assert missing.status_code == 404


async def test_invited_coordinator_sets_up_two_factor_after_the_password(
    client: httpx.AsyncClient,
) -> None:
    network_id = await _network()
    await factories.member(network_id, Role.admin, email="beheer@example.org")
    await log_in(client, "beheer@example.org")
    invited = await post_form(
        client,
        "/beheer/zuid-west/gebruikers/uitnodigen",
        {"email": "nieuw@example.org", "name": "Nico Nieuw", "role": "coordinator"},
    )
    assert invited.status_code == 303, invited.text
    from tests.portal.test_auth import _last_mail_to, _link

    link = _link((await _last_mail_to("nieuw@example.org"))["body"], "uitnodiging")
    invitee = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with invitee:
        done = await post_form(
            invitee,
            link,
            {"password": "mijn-eigen-zin-van-mei", "password_repeat": "mijn-eigen-zin-van-mei"},
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/login/tweestaps-instellen"
        assert (await invitee.get("/n/zuid-west")).status_code == 303


@pytest.mark.parametrize("path", ["/login/code", "/login/tweestaps-instellen"])
async def test_step_pages_without_a_half_log_in_send_to_the_password(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    posted = await post_form(client, path, {"code": "123456"})
    assert posted.status_code == 303 and posted.headers["location"] == "/login"


async def test_cancel_ends_the_half_log_in(client: httpx.AsyncClient) -> None:
    network_id = await _network()
    user_id = await factories.member(network_id, Role.coordinator, email="carla@example.org")
    await _password_step(client, "carla@example.org")
    assert await UserSession.count().where(UserSession.user == user_id) == 1
    response = await post_form(client, "/login/annuleren")
    assert response.status_code == 303
    assert await UserSession.count().where(UserSession.user == user_id) == 0
    assert (await client.get("/login")).status_code == 200


def test_factory_secret_is_a_valid_base32_secret() -> None:
    assert pyotp.TOTP(TOTP_SECRET).now().isdigit()
