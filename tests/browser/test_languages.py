"""Dates, times and numbers on a real page follow the language the reader picks with the
language switcher: Finnish and Swedish as written in Finland, English day-first."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import User
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The snapshot page shows when it was built (a date and time) and each file's size (a decimal,
# always in kB with one decimal, in the reader's number format).
EXPECTED = {
    "fi": {
        "heading": "Tilannekuva",
        "built": lambda t: f"{t.day}.{t.month}.{t.year} {t.hour}.{t.minute:02d}",
        "size": re.compile(r"^\d+,\d\skB$"),
    },
    "sv": {
        "heading": "Ögonblicksbild",
        "built": lambda t: f"{t.day}.{t.month}.{t.year} {t.hour:02d}:{t.minute:02d}",
        "size": re.compile(r"^\d+,\d\skB$"),
    },
    "en": {
        "heading": "Snapshot",
        "built": lambda t: f"{t.day} {t:%b} {t.year} {t.hour:02d}:{t.minute:02d}",
        "size": re.compile(r"^\d+\.\d\skB$"),
    },
}
SWITCH_TO = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def test_dates_and_numbers_follow_the_language_chosen_with_the_switcher(page, site, operator, proxy_publishing):
    from proxy.services import snapshot_build
    from tests.proxy.inputs_factory import home_organisation, inputs, oidc_service, saml_service

    register = inputs(saml_service(n=1), oidc_service(n=2), homes=(home_organisation(n=3),))
    snapshot = snapshot_build(environment="test", trigger="languages", collect=lambda **kwargs: register)
    built = timezone.localtime(snapshot.created_at)
    login(page, site, operator.email, mfa=True)
    page.goto(f"{site}/proxy/staff/snapshots/{snapshot.pk}/")
    for language in ["fi", "sv", "en"]:
        page.get_by_role("button", name=SWITCH_TO[language], exact=True).click()
        page.wait_for_load_state()
        expected = EXPECTED[language]
        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("heading", level=1).inner_text().startswith(expected["heading"])
        assert expected["built"](built) in page.locator("main dl").inner_text()
        sizes = page.locator("main table").last.locator("tbody tr td:nth-child(2)").all_inner_texts()
        assert all(expected["size"].match(size) for size in sizes), sizes
        assert any("KB" in size or "kB" in size for size in sizes), sizes  # at least one with decimals
        assert_accessible(page, f"languages-snapshot-{language}")
    # The choice is remembered for the person (emails follow it too).
    assert User.objects.get(pk=operator.pk).language == "en"
