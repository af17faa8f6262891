"""The sync preview as a pure rule: the register's fixture against a described trustnet state."""

from __future__ import annotations

import datetime as dt

from members.organisation_preview import LocalOffice, LocalOrganisation, LocalSchool, preview_compute
from members.organisation_register import Names, home_organisation_from, parse_descendants, parse_unit
from tests.members.register_server import ORG_OID, fixture_json

TODAY = dt.date(2026, 12, 1)
KVARNBACKEN, NASI, HUHTINEN, PELLINKI = (f"1.2.246.562.10.200000000{n}" for n in (11, 12, 13, 14))


def upstream(descendants=None):
    return home_organisation_from(
        parse_unit(fixture_json("organisation.json"), nested=False),
        parse_descendants(descendants or fixture_json("jalkelaiset.json"), oid=ORG_OID),
        today=TODAY,
    )


def school(code, oid, name, *, closed=False, organisation_id=1, organisation_name="Porvoon kaupunki", offices=()):
    return LocalSchool(
        code=code, oid=oid, name=name, closed=closed, organisation_id=organisation_id,
        organisation_name=organisation_name, offices=tuple(offices),
    )  # fmt: skip


PORVOO = Names("Porvoon kaupunki", "Borgå stad", "City of Porvoo")


def local(*schools, names=PORVOO, business_id="1061512-1"):
    return LocalOrganisation(
        pk=1, oid=ORG_OID, names=names, business_id=business_id, municipality_codes=("638",), schools=schools
    )


IN_SYNC = (
    school("03950", KVARNBACKEN, "Kvarnbackens skola", offices=[
        LocalOffice("1.2.246.562.10.20000000111", "Kvarnbackens skola, Kvarnbackens filial", closed=False),
        LocalOffice("1.2.246.562.10.20000000112", "Kvarnbackens skola, Gamla huset", closed=True),
    ]),
    school("03952", NASI, "Näsin yhtenäiskoulu"),
    school("03953", HUHTINEN, "Huhtisen koulu"),
    school("03954", PELLINKI, "Pellingin koulu", closed=True),
)  # fmt: skip


def test_nothing_to_do_when_trustnet_matches_the_register():
    preview = preview_compute(upstream=upstream(), local=local(*IN_SYNC), elsewhere={})

    assert preview.is_empty


def test_new_renamed_closed_and_offices_are_listed():
    mine = local(
        school("03950", KVARNBACKEN, "Kvarnbackens skola"),  # no offices yet
        school("03952", "", "Näsin koulu"),  # entered by hand: no OID, old name
        school("03954", PELLINKI, "Pellingin koulu"),  # still open here
        names=Names("Porvoon kaupunki", "", ""),
        business_id="",
    )

    preview = preview_compute(upstream=upstream(), local=mine, elsewhere={})

    assert [(c.field, c.after) for c in preview.organisation] == [
        ("name_sv", "Borgå stad"), ("name_en", "City of Porvoo"), ("business_id", "1061512-1"),
    ]  # fmt: skip
    assert [(s.code, s.oid) for s in preview.new_schools] == [("03953", HUHTINEN)]  # the planned 03955 waits
    assert [(s.code, s.before, s.name) for s in preview.renamed_schools] == [
        ("03952", "Näsin koulu", "Näsin yhtenäiskoulu")
    ]
    assert [(s.code, s.oid) for s in preview.linked_schools] == [("03952", NASI)]
    assert [s.code for s in preview.closed_schools] == ["03954"]
    # The active office is new; the closed one is not added at all.
    assert [(o.school_code, o.oid) for o in preview.new_offices] == [("03950", "1.2.246.562.10.20000000111")]
    assert preview.fingerprint and not preview.is_empty


def test_school_under_another_organisation_is_moved_not_duplicated():
    other = school("03953", HUHTINEN, "Huhtisen koulu", organisation_id=2, organisation_name="Sipoon kunta")
    mine = local(*(s for s in IN_SYNC if s.code != "03953"))

    preview = preview_compute(upstream=upstream(), local=mine, elsewhere={other.oid: other, other.code: other})

    assert [(s.code, s.before) for s in preview.moved_schools] == [("03953", "Sipoon kunta")]
    assert preview.new_schools == ()


def test_a_school_closed_upstream_is_not_moved_from_another_organisation():
    other = school("03954", PELLINKI, "Pellingin koulu", organisation_id=2, organisation_name="Sipoon kunta")
    mine = local(*(s for s in IN_SYNC if s.code != "03954"))

    preview = preview_compute(upstream=upstream(), local=mine, elsewhere={other.oid: other, other.code: other})

    assert preview.moved_schools == () and preview.new_schools == () and preview.closed_schools == ()


def test_closed_office_and_reopened_school():
    mine = local(
        school("03950", KVARNBACKEN, "Kvarnbackens skola", offices=[
            LocalOffice("1.2.246.562.10.20000000111", "Kvarnbackens filial", closed=False),
            LocalOffice("1.2.246.562.10.20000000112", "Kvarnbackens skola, Gamla huset", closed=False),
        ]),
        school("03952", NASI, "Näsin yhtenäiskoulu", closed=True),
        *IN_SYNC[2:],
    )  # fmt: skip

    preview = preview_compute(upstream=upstream(), local=mine, elsewhere={})

    assert [o.oid for o in preview.closed_offices] == ["1.2.246.562.10.20000000112"]
    assert [(o.before, o.name) for o in preview.renamed_offices] == [
        ("Kvarnbackens filial", "Kvarnbackens skola, Kvarnbackens filial")
    ]
    assert [s.code for s in preview.reopened_schools] == ["03952"]


def test_fingerprint_changes_with_the_content():
    first = preview_compute(upstream=upstream(), local=local(*IN_SYNC[:3]), elsewhere={})
    descendants = fixture_json("jalkelaiset.json")
    descendants["organisaatiot"][1]["nimi"]["fi"] = "Näsin koulu ja lukio"
    second = preview_compute(upstream=upstream(descendants), local=local(*IN_SYNC[:3]), elsewhere={})

    assert first.fingerprint != second.fingerprint
    assert (
        first.fingerprint == preview_compute(upstream=upstream(), local=local(*IN_SYNC[:3]), elsewhere={}).fingerprint
    )
