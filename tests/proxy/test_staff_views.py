"""Staff UI: snapshots, validation reports, diff, rebuild, publish/rollback, tokens."""

from __future__ import annotations

import re

import pytest

from audit.models import Entry
from proxy.models import ProxyToken, Publication, Snapshot
from proxy.services import proxy_token_create, snapshot_build
from tests.proxy.inputs_factory import saml_service
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_snapshots(register):
    register("test", saml_service(n=1), saml_service(n=2))
    first = snapshot_build(environment="test", trigger="first")
    register("test", saml_service(n=1, attributes=("uid", "learnerId")), saml_service(n=3))
    second = snapshot_build(environment="test", trigger="second")
    return first, second


def _urls(snapshot: Snapshot) -> list[str]:
    return [
        "/proxy/staff/",
        f"/proxy/staff/snapshots/{snapshot.pk}/",
        f"/proxy/staff/diff/?a={snapshot.pk}&b={snapshot.pk}",
        "/proxy/staff/tokens/",
    ]


def test_anonymous_is_sent_to_login(client, two_snapshots):
    for url in _urls(two_snapshots[0]):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_users_are_refused(as_user, admin_a, two_snapshots):
    for url in _urls(two_snapshots[0]):
        assert as_user(admin_a).get(url).status_code == 403
    assert as_user(admin_a).post("/proxy/staff/build/", {"environment": "test"}).status_code == 403
    assert as_user(admin_a).post(f"/proxy/staff/snapshots/{two_snapshots[0].pk}/publish/").status_code == 403


def test_staff_without_mfa_must_enrol_first(as_user, operator_without_mfa, two_snapshots):
    response = as_user(operator_without_mfa).get("/proxy/staff/")
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_operator_sees_snapshots_and_what_is_in_service(as_user, operator, two_snapshots):
    first, second = two_snapshots
    response = as_user(operator).get("/proxy/staff/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{first.pk}" in body and f"#{second.pk}" in body and "in service" in body


# Sorted or not, the list runs the same queries.
@pytest.mark.parametrize("url", ["/proxy/staff/", "/proxy/staff/?sort=-services&environment=test"])
def test_snapshot_list_query_count_is_pinned(as_user, operator, register, url):
    register("test", saml_service(n=1))
    client = as_user(operator)

    def grow():
        for n in range(2, 8):
            register("test", *[saml_service(n=i) for i in range(1, n + 1)])
            snapshot_build(environment="test", trigger=f"grow {n}")

    snapshot_build(environment="test", trigger="first")
    # 9: one more for the proxy keys (the notice of a withheld OIDC client register).
    assert_queries_pinned(client, url, grow=grow, expected=9)


def test_failed_build_shows_its_errors(as_user, operator, register):
    register("test", saml_service(n=1, acs_endpoints=()))
    failed = snapshot_build(environment="test", trigger="broken")
    body = as_user(operator).get(f"/proxy/staff/snapshots/{failed.pk}/").content.decode()
    assert "failed its checks" in body and "AssertionConsumerService" in body


def test_diff_names_services_added_removed_and_changed_with_what_changed(as_user, operator, two_snapshots):
    first, second = two_snapshots
    body = as_user(operator).get(f"/proxy/staff/diff/?a={first.pk}&b={second.pk}").content.decode()
    services = body[body.index("<h2") : body.index("Home organisations")]
    added, removed, changed = services.index("Added"), services.index("Removed"), services.index("Changed")
    assert "Service 3" in services[added:removed] and "https://sp3.example.fi/saml" in services[added:removed]
    assert "Service 2" in services[removed:changed]
    assert "Service 1" in services[changed:] and "attributes added: learnerId" in services[changed:]


def test_diff_names_the_home_organisation_and_login_source_that_changed(as_user, operator, register):
    from tests.proxy.inputs_factory import home_organisation

    register("test", saml_service(n=1), homes=(home_organisation(n=10),))
    first = snapshot_build(environment="test", trigger="first")
    register("test", saml_service(n=1), homes=(home_organisation(n=10), home_organisation(n=11)))
    second = snapshot_build(environment="test", trigger="second")
    body = as_user(operator).get(f"/proxy/staff/diff/?a={first.pk}&b={second.pk}").content.decode()
    homes = body[body.index("Home organisations") : body.index("Login sources")]
    assert "Kunta 11" in homes and "Kunta 10" not in homes
    sources = body[body.index("Login sources") :]
    assert "kunta11.inschool.fi" in sources and "Kunta 11" in sources
    assert "home organisations changed" not in body.lower()


def test_manual_rebuild_with_nothing_changed_publishes_nothing_and_says_so(as_user, operator, two_snapshots):
    response = as_user(operator).post("/proxy/staff/build/", {"environment": "test"}, follow=True)
    record = Snapshot.objects.first()
    assert record.status == Snapshot.Status.UNCHANGED and record.created_by == operator
    assert record.trigger == "manual rebuild" and record.files == {}
    assert Publication.objects.get(environment="test").snapshot == two_snapshots[1]
    body = response.content.decode()
    assert f"No change; snapshot {two_snapshots[1].pk} stays in service." in body
    assert "Rebuilt by staff" in body and "manual rebuild" not in body


def test_rollback_publishes_an_earlier_good_snapshot_and_is_audited(as_user, operator, two_snapshots):
    first, _ = two_snapshots
    response = as_user(operator).post(f"/proxy/staff/snapshots/{first.pk}/publish/")
    assert response.status_code == 302
    publication = Publication.objects.get(environment="test")
    assert publication.snapshot == first and publication.published_by == operator
    entry = Entry.objects.filter(action="proxy.published").order_by("-id").first()
    assert entry.actor == operator and entry.after["snapshot"] == first.pk


def test_a_failed_snapshot_cannot_be_published(as_user, operator, register):
    register("test", saml_service(n=1))
    good = snapshot_build(environment="test", trigger="good")
    register("test", saml_service(n=1, acs_endpoints=()))
    failed = snapshot_build(environment="test", trigger="bad")
    as_user(operator).post(f"/proxy/staff/snapshots/{failed.pk}/publish/")
    assert Publication.objects.get(environment="test").snapshot == good


def test_tokens_page_shows_last_pull_and_revokes(as_user, operator, client, two_snapshots):
    token, key = proxy_token_create(name="idp.example.fi", environment="test")
    client.get("/proxy/test/config.json", headers={"Authorization": f"Token {key}"})
    body = as_user(operator).get("/proxy/staff/tokens/").content.decode()
    assert "idp.example.fi" in body and "never" not in body and key not in body
    as_user(operator).post(f"/proxy/staff/tokens/{token.pk}/revoke/")
    assert ProxyToken.objects.get().revoked_at is not None
    assert Entry.objects.filter(action="proxy.token_revoked", actor=operator).exists()


@pytest.mark.parametrize(
    ("a", "b", "named"),
    [
        ("abc", None, "Earlier snapshot"),
        (None, "1.5", "Later snapshot"),
        ("-1", None, "Earlier snapshot"),
        ("99999999999999999999", None, "Earlier snapshot"),
        ("1e400", None, "Earlier snapshot"),
        ("\x00", None, "Earlier snapshot"),
        ("", None, "Earlier snapshot"),
    ],
)
def test_diff_with_a_malformed_snapshot_number_is_a_400_naming_it(as_user, operator, two_snapshots, a, b, named):
    """Issue 15 item 4: `?a=abc` was a 500; a hand-edited address gets a message instead."""
    first, second = two_snapshots
    query = {"a": first.pk if a is None else a, "b": second.pk if b is None else b}
    response = as_user(operator).get("/proxy/staff/diff/", query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "does not name two snapshots" in body and named in body


def test_diff_of_a_snapshot_that_does_not_exist_is_404(as_user, operator, two_snapshots):
    assert as_user(operator).get("/proxy/staff/diff/", {"a": 2**62, "b": two_snapshots[0].pk}).status_code == 404


def test_a_build_that_changed_nothing_is_compared_as_the_snapshot_it_kept(as_user, operator, two_snapshots):
    first, second = two_snapshots
    client = as_user(operator)
    client.post("/proxy/staff/build/", {"environment": "test"})
    record = Snapshot.objects.first()
    assert record.status == Snapshot.Status.UNCHANGED
    body = client.get(f"/proxy/staff/diff/?a={second.pk}&b={record.pk}").content.decode()
    assert "No changes." in body and "Removed" not in body
    # From the first snapshot: what the second (kept in service) changed, not "everything removed".
    body = client.get(f"/proxy/staff/diff/?a={first.pk}&b={record.pk}").content.decode()
    assert "Service 3" in body and "attributes added: learnerId" in body
    assert "Compare with the snapshot before" not in client.get(f"/proxy/staff/snapshots/{record.pk}/").content.decode()


def test_the_snapshot_list_sorts_by_its_columns_and_says_so_in_aria_sort(as_user, operator, register):
    """Issue 16 item 7: newest first by default; ?sort= orders by another column, an unknown one is ignored."""
    register("test", saml_service(n=1), saml_service(n=2), saml_service(n=3))
    many = snapshot_build(environment="test", trigger="three")
    register("test", saml_service(n=1))
    few = snapshot_build(environment="test", trigger="one")
    client = as_user(operator)

    def order(query: str) -> list[str]:
        body = client.get(f"/proxy/staff/?{query}").content.decode()
        table = body.split('<caption class="visually-hidden">Snapshots</caption>')[1]
        return [
            n for n in re.findall(r'href="/proxy/staff/snapshots/(\d+)/"', table) if n in {str(many.pk), str(few.pk)}
        ]

    assert order("") == [str(few.pk), str(many.pk)]
    assert order("sort=built") == [str(many.pk), str(few.pk)]
    assert order("sort=-services") == [str(many.pk), str(few.pk)]
    assert order("sort=services") == [str(few.pk), str(many.pk)]
    assert order("sort=created_at%20desc") == [str(few.pk), str(many.pk)]
    body = client.get("/proxy/staff/?sort=-services&environment=test").content.decode()
    link = re.search(r'aria-sort="descending" class="sortable"><a class="sort-link" href="\?([^"]+)">Services', body)
    assert link and sorted(link.group(1).split("&amp;")) == ["environment=test", "sort=services"]
    assert re.search(r'aria-sort="none" class="sortable"><a class="sort-link" href="[^"]+">Built', body)


def test_a_snapshot_page_has_breadcrumbs_under_the_snapshot_list(as_user, operator, two_snapshots):
    from tests.breadcrumbs import assert_trail

    first = two_snapshots[0]
    body = as_user(operator).get(f"/proxy/staff/snapshots/{first.pk}/").content.decode()
    trail = assert_trail(body, "Operator", "Proxy configuration", f"Snapshot {first.pk} (test)")
    assert trail[1][1] == "/proxy/staff/"
