"""Under the Content-Security-Policy (issue 15 item 8): the API docs render from this site's own
files with nothing fetched elsewhere, and buttons that ask first still ask."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from members.models import School
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_offline_from_this_site_only(page, site):
    elsewhere = []

    def only_this_site(route):
        # Everything not from the live server is refused, as on a machine with no internet.
        if urlsplit(route.request.url).netloc != urlsplit(site).netloc:
            elsewhere.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_this_site)
    page.goto(site + "/api/docs/")
    page.locator(".swagger-ui .info .title").filter(has_text="trustnet API").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/organisations/").first.wait_for()
    assert elsewhere == []


def test_a_confirming_button_asks_first_and_a_no_keeps_everything(page, site, technical_a, org_a):
    org_a.is_home_organisation = True
    org_a.save()
    School.objects.create(organisation=org_a, code="12345", name="Keskuskoulu", school_type="basic")
    login(page, site, technical_a.email, language="en")
    page.goto(site + reverse("members:organisation-detail", args=[org_a.pk]))
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Remove").first.click()
    assert questions == ["Remove this school?"]
    assert School.objects.filter(code="12345").exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Remove").first.click()
    page.wait_for_load_state()
    page.get_by_text("No schools yet.").wait_for()
    assert not School.objects.filter(code="12345").exists()
