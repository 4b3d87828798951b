"""The two-factor pages in the browser: the code step (and its error) and, for an applicant who
turns it on, the account page, the enrolment page with its QR code and the recovery codes —
each checked by axe like every other page, and the whole round trip done by a person would.

The demo applicant turns it off again at the end (with a recovery code), because the live server
is shared by the whole session and other tests log her in with the password alone.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.accounts import totp
from portal.demo import DEMO_PASSWORD
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.browser.test_login_journeys import enter_code

pytestmark = pytest.mark.browser

APPLICANT = "aanvrager@example.org"


def password_step(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_code_step_is_accessible_and_refuses_a_wrong_code(page: Page) -> None:
    password_step(page, "coordinator@example.org")
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inlogcode")
    assert_no_serious_violations(page)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    expect(page.get_by_label("Code", exact=True)).to_have_value("000000")
    assert_no_serious_violations(page)
    # Nothing else opens meanwhile.
    page.goto("/n/zuid-west")
    expect(page).to_have_url(re.compile(r"/login/code"))
    page.get_by_role("button", name="Annuleren en opnieuw beginnen").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_applicant_turns_two_factor_on_logs_in_with_it_and_off_again(page: Page) -> None:
    password_step(page, APPLICANT)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.get_by_role("link", name="Mijn account").click()
    page.get_by_role("link", name="Tweestapsverificatie instellen of beheren").click()
    expect(page.locator("[data-two-factor=uit]")).to_be_visible()
    assert_no_serious_violations(page)

    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    assert_no_serious_violations(page)
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    codes = page.locator(".fp-recovery-codes code").all_inner_texts()
    assert len(codes) == totp.RECOVERY_CODE_COUNT
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    expect(page.locator("[data-two-factor=aan]")).to_be_visible()

    # From now on the applicant's log-in asks for the code; a recovery code does instead.
    page.get_by_role("button", name="Uitloggen").click()
    password_step(page, APPLICANT)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("status")).to_contain_text("herstelcode")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto("/account/tweestaps")
    page.get_by_label("Code uit uw app of een herstelcode").fill(codes[1])
    page.get_by_role("button", name="Tweestapsverificatie uitzetten").click()
    expect(page.locator("[data-two-factor=uit]")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()
    password_step(page, APPLICANT)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_coordinator_logs_in_with_the_code(page: Page) -> None:
    password_step(page, "coordinator@example.org")
    expect(page).to_have_url(re.compile(r"/login/code$"))
    enter_code(page)
    expect(page).to_have_url(re.compile(r"/n/zuid-west$"))
