"""A form clicked twice, as impatient people and slow networks do, has one effect.

With JavaScript the button is disabled while the form is in flight (static/js/forms.js), so the
second click sends nothing. Without JavaScript both posts reach the server, which keeps to one
effect by the form's one-time key (portal/lib/once.py) and sends the second where the first went.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@example.org"
PAGE = "/n/zuid-west/rondes"


def _fill_new_year(page: Page, year: str) -> None:
    page.goto(PAGE)
    page.get_by_label("Jaar", exact=True).fill(year)
    page.get_by_label("SPUK-bedrag (€)").fill("1.000.000,00")


def _years_listed(page: Page, year: str) -> int:
    page.goto(PAGE)
    table = page.get_by_role("region", name="Begrotingsjaren")
    return table.get_by_role("cell", name=year, exact=True).count()


def test_a_double_click_sends_the_form_once(page: Page) -> None:
    log_in(page, COORDINATOR)
    posts: list[str] = []

    def slow_post(route: Route) -> None:
        if route.request.method == "POST":
            posts.append(route.request.url)
            time.sleep(0.5)  # a slow network: the second click comes while the first is away
        route.continue_()

    page.route(re.compile(r".*/begrotingsjaren$"), slow_post)
    _fill_new_year(page, "2031")
    button = page.get_by_role("button", name="Begrotingsjaar toevoegen")
    with page.expect_navigation(url=re.compile(r".*/rondes$")):
        # The second click comes 100 ms after the first, while the first post is still away.
        button.evaluate("b => { b.click(); setTimeout(() => b.click(), 100); }")
    page.unroute(re.compile(r".*/begrotingsjaren$"))
    assert len(posts) == 1
    assert _years_listed(page, "2031") == 1


def test_without_javascript_the_server_takes_the_second_post_as_already_done(
    browser, live_server
) -> None:
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, COORDINATOR)
        _fill_new_year(page, "2032")
        # Both posts of one rendered form, as a retry or a double-click without the script
        # sends them: the same one-time key twice.
        form = page.locator("form[action$='/begrotingsjaren']")
        fields = {
            name: form.locator(f"[name='{name}']").input_value()
            for name in ("_csrf_token", "_formulier", "year", "spuk_amount", "grant_reference")
        }
        first = page.request.post(f"{live_server}/n/zuid-west/begrotingsjaren", form=fields)
        second = page.request.post(f"{live_server}/n/zuid-west/begrotingsjaren", form=fields)
        assert first.ok and second.ok
        assert "Dit was al verwerkt" in second.text()
        assert _years_listed(page, "2032") == 1
    finally:
        context.close()


def test_an_upload_says_it_is_under_way(page: Page) -> None:
    """While a file is sent the form says which and how large, with a bar, and its button is
    disabled; the page that comes back says how it went."""
    import io

    from PIL import Image

    log_in(page, COORDINATOR)
    page.goto("/n/zuid-west/beoordeling/brieven")
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 90, 160)).save(out, format="PNG")
    page.get_by_label("Logo (PNG of JPEG, ten hoogste 500 kB)").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": out.getvalue()}
    )
    # The moment between the click and the answer, held still: a listener after forms.js's
    # keeps the browser from sending, so the page shows what it shows while a file is away.
    page.evaluate(
        "() => document.addEventListener('submit', e => { if (window.hold) e.preventDefault() })"
    )
    page.evaluate("() => { window.hold = true }")
    page.get_by_role("button", name="Logo opslaan").click()
    status = page.locator(".fp-upload-progress")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("Bezig met versturen: logo.png (1 kB)")
    expect(status.locator("progress")).to_have_count(1)
    expect(page.get_by_role("button", name="Logo opslaan")).to_have_attribute(
        "aria-disabled", "true"
    )
    # Sent for real, the page that comes back says how it went.
    page.evaluate("() => { window.hold = false }")
    page.evaluate(
        "() => HTMLFormElement.prototype.submit.call(document.querySelector('.fp-upload-progress').closest('form'))"
    )
    expect(
        page.get_by_role("status").filter(has_text="Het logo staat in het briefhoofd")
    ).to_be_visible()
