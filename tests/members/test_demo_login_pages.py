"""The demo's login page entries (issue 14, item 4)."""

import pytest
from django.core.management import call_command

from audit.models import Entry
from members import services
from members.demo import demo_logo
from members.logos import logo_check
from members.models import LoginSource

pytestmark = pytest.mark.django_db


def test_every_demo_source_has_names_titles_and_a_logo_and_no_school_is_listed_twice():
    call_command("load_demo")
    sources = list(LoginSource.objects.prefetch_related("schools", "excluded_schools"))
    assert sources and all(s.display_name_fi and s.display_name_sv and s.display_name_en for s in sources)
    assert all(s.logo.name.endswith(".svg") for s in sources)
    assert any(s.excluded_schools.exists() for s in sources)
    for source in sources:
        assert not services.login_source_listing_conflicts(
            login_source=source, listed=source.listed_schools, field="schools"
        )
    entries = Entry.objects.filter(action="login_source.login_page").count()
    call_command("load_demo")
    assert Entry.objects.filter(action="login_source.login_page").count() == entries  # nothing changed


def test_the_demo_logos_pass_the_logo_check():
    assert logo_check(demo_logo("HKI", "#0000bf")).extension == "svg"
