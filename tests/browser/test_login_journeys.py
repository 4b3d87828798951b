"""Each demo person logs in with the browser and lands on the start page of their role."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.accounts import totp
from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser

JOURNEYS = [
    ("aanvrager@example.org", r"/n/zuid-west$", "applicant"),
    ("regio@example.org", r"/n/zuid-west$", "region_officer"),
    ("ao@example.org", r"/n/zuid-west$", "reviewer"),
    ("voorzitter@example.org", r"/n/zuid-west$", "reviewer"),
    ("coordinator@example.org", r"/n/zuid-west$", "coordinator"),
    ("beheerder@example.org", r"/beheer$", None),
]


# Session cookies of the demo people who log in with a code, reused while the session lives:
# the portal takes each 30-second code once, and many tests log the coordinator in.
_SESSIONS: dict[str, dict] = {}


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in as the demo person, with the code from the authenticator app where asked."""
    if password == DEMO_PASSWORD and email in _SESSIONS:
        page.context.add_cookies([_SESSIONS[email]])
        page.goto("/login")
        if not re.search(r"/login$", page.url):
            return  # the login page sent a logged-in user on to the start page
        page.context.clear_cookies(name="fp_session")
        del _SESSIONS[email]
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if "/login/code" not in page.url:
        return
    enter_code(page)
    _SESSIONS[email] = next(c for c in page.context.cookies() if c["name"] == "fp_session")


def enter_code(page: Page) -> None:
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if page.get_by_text(totp.CODE_REUSED).count():
        # Another test used this step's code a moment ago: the next one comes within 30 s.
        time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 1)
        page.get_by_label("Code", exact=True).fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/login"))


@pytest.mark.parametrize(("email", "start", "role"), JOURNEYS)
def test_demo_role_lands_on_its_start_page(
    page: Page, email: str, start: str, role: str | None
) -> None:
    log_in(page, email)
    expect(page).to_have_url(re.compile(start))
    if role:
        expect(page.locator(f"[data-start={role}]")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("Beheer")
        expect(page.get_by_role("link", name="Expertisenetwerk Zuid-West")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()


def test_wrong_password_shows_a_dutch_message_and_keeps_the_email(page: Page) -> None:
    log_in(page, "coordinator@example.org", "niet-het-goede-wachtwoord")
    expect(page.get_by_text("Het e-mailadres of wachtwoord klopt niet.")).to_be_visible()
    expect(page.get_by_label("E-mailadres")).to_have_value("coordinator@example.org")


def test_keyboard_only_login(page: Page) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type("ao@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/n/zuid-west$"))
