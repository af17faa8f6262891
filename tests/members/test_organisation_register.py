"""The Organisaatiopalvelu client against a local fixture server: the published shapes parse, and
a register that is down, slow, failing or answering garbage gives a clear RegisterError."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest

from members.organisation_register import OrganisationRegisterClient, RegisterError
from tests.members.register_server import FIXTURES, ORG_OID, Answer, fixture_json

TODAY = dt.date(2026, 12, 1)


def client(**kwargs) -> OrganisationRegisterClient:
    return OrganisationRegisterClient(retry_pause=0, **kwargs)


def test_home_organisation_is_read_with_its_schools_and_offices(register_server):
    register_server.serve_fixture_organisation()

    organisation = client().home_organisation(ORG_OID, today=TODAY)

    assert (organisation.names.fi, organisation.names.sv, organisation.names.en) == (
        "Porvoon kaupunki", "Borgå stad", "City of Porvoo",
    )  # fmt: skip
    assert organisation.business_id == "1061512-1"
    assert organisation.municipality_code == "638"
    by_code = {school.code: school for school in organisation.schools}
    # The office directly under the provider (toimipiste, no school) is not a school.
    assert sorted(by_code) == ["03950", "03952", "03953", "03954", "03955"]
    kvarnbacken = by_code["03950"]
    assert kvarnbacken.oid == "1.2.246.562.10.20000000011"
    assert kvarnbacken.school_type_uri == "oppilaitostyyppi_11"
    assert [(office.oid, office.active) for office in kvarnbacken.offices] == [
        ("1.2.246.562.10.20000000111", True),
        ("1.2.246.562.10.20000000112", False),
    ]
    assert by_code["03954"].active is False  # PASSIIVINEN with a closing date
    assert by_code["03955"].active is False and by_code["03955"].planned is True


def test_every_request_names_the_caller(register_server):
    register_server.serve_fixture_organisation()

    client().home_organisation(ORG_OID, today=TODAY)

    assert [path for path, _ in register_server.requests] == [f"/api/{ORG_OID}", f"/api/{ORG_OID}/jalkelaiset"]
    assert all(h["Caller-Id"] == "1.2.246.562.10.00000000001.trustnet-test" for _, h in register_server.requests)


def test_a_closing_date_in_the_future_keeps_a_school_active(register_server):
    descendants = fixture_json("jalkelaiset.json")
    descendants["organisaatiot"][2]["lakkautusPvm"] = "2027-07-31"
    register_server.serve_fixture_organisation(descendants=descendants)

    schools = {s.code: s for s in client().home_organisation(ORG_OID, today=TODAY).schools}

    assert schools["03953"].active is True
    assert {s.code: s for s in client().home_organisation(ORG_OID, today=dt.date(2027, 8, 1)).schools}[
        "03953"
    ].active is False


def test_unknown_organisation_is_named(register_server):
    with pytest.raises(RegisterError, match=re.escape("no organisation with the OID 1.2.246.562.10.99")):
        client().home_organisation("1.2.246.562.10.99", today=TODAY)


def test_error_status_is_reported(register_server):
    register_server.answer(f"/api/{ORG_OID}", {"errorMessage": "forbidden"}, status=403)

    with pytest.raises(RegisterError, match=r"refused the request \(HTTP 403\)"):
        client().home_organisation(ORG_OID, today=TODAY)


def test_500_is_retried_then_reported(register_server):
    register_server.answer(f"/api/{ORG_OID}", {"errorMessage": "boom"}, status=500)

    with pytest.raises(RegisterError, match=r"not available: it answered with an error \(HTTP 500\)"):
        client(retries=2).home_organisation(ORG_OID, today=TODAY)

    assert len(register_server.requests) == 3  # the first try and two retries


def test_500_then_success_is_retried(register_server):
    register_server.serve_fixture_organisation()
    path = f"/api/{ORG_OID}"
    register_server.answers[path] = Answer(status=503, body=b"busy", then=register_server.answers[path])

    organisation = client(retries=2).home_organisation(ORG_OID, today=TODAY)

    assert organisation.oid == ORG_OID
    assert [p for p, _ in register_server.requests].count(path) == 2


def test_slow_register_times_out(register_server):
    register_server.answer(f"/api/{ORG_OID}", fixture_json("organisation.json"), delay=1.0)

    with pytest.raises(RegisterError, match=re.escape("did not answer within 0.2 seconds")):
        client(timeout=0.2).home_organisation(ORG_OID, today=TODAY)


def test_register_down_is_reported(db, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(RegisterError, match="not available: it could not be reached"):
        client(base_url=f"http://127.0.0.1:{port}/organisaatio-service", retries=1).home_organisation(
            ORG_OID, today=TODAY
        )


def test_malformed_json_is_reported(register_server):
    register_server.answer(f"/api/{ORG_OID}", raw=(FIXTURES / "malformed.json").read_bytes())

    with pytest.raises(RegisterError, match="is not valid JSON"):
        client().home_organisation(ORG_OID, today=TODAY)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda o: o.pop("tyypit"), "tyypit"),
        (lambda o: o.update(nimi="Porvoo"), "nimi"),
        (lambda o: o.update(nimi={}), "nimi"),
        (lambda o: o.update(status="POISTETTU"), "status"),
        (lambda o: o.update(ytunnus="1061512-2"), "ytunnus"),
        (lambda o: o.update(kotipaikkaUri="Porvoo"), "kotipaikkaUri"),
        (lambda o: o.update(lakkautusPvm="31.12.2026"), "lakkautusPvm"),
        (lambda o: o.update(oid=None), "oid"),
    ],
)
def test_wrong_shapes_name_the_field(register_server, mutate, field):
    organisation = fixture_json("organisation.json")
    mutate(organisation)
    register_server.serve_fixture_organisation()
    register_server.answer(f"/api/{ORG_OID}", organisation)

    with pytest.raises(RegisterError, match=f"bad field “{field}”"):
        client().home_organisation(ORG_OID, today=TODAY)


def test_fixture_without_types_is_refused(register_server):
    register_server.answer(f"/api/{ORG_OID}", fixture_json("organisation_without_types.json"))

    with pytest.raises(RegisterError, match="bad field “tyypit”"):
        client().home_organisation(ORG_OID, today=TODAY)


def test_garbled_school_code_in_descendants_is_refused(register_server):
    descendants = fixture_json("jalkelaiset.json")
    descendants["organisaatiot"][1]["oppilaitosKoodi"] = "０３９５２"  # full-width digits
    register_server.serve_fixture_organisation(descendants=descendants)

    with pytest.raises(RegisterError, match=re.escape("1.2.246.562.10.20000000012 has a bad field “oppilaitosKoodi”")):
        client().home_organisation(ORG_OID, today=TODAY)


def test_descendants_without_list_are_refused(register_server):
    register_server.serve_fixture_organisation(descendants={"numHits": 0, "organisaatiot": "none"})

    with pytest.raises(RegisterError, match="bad field “organisaatiot”"):
        client().home_organisation(ORG_OID, today=TODAY)


def test_an_organisation_that_is_not_an_education_provider_is_refused(register_server):
    organisation = fixture_json("organisation.json")
    organisation["tyypit"] = ["organisaatiotyyppi_02"]
    register_server.serve_fixture_organisation()
    register_server.answer(f"/api/{ORG_OID}", organisation)

    with pytest.raises(RegisterError, match="as an education provider"):
        client().home_organisation(ORG_OID, today=TODAY)
