"""The attribute mapping of a login source: the pure rules (members.attribute_mapping)."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members.attribute_mapping import (
    FIXED_MAPPINGS,
    attribute_mapping_clean,
    effective_mapping,
    mapping_missing_keys,
    source_name_problem,
)
from members.attributes import MANDATORY_MAPPED_KEYS, MAPPED_ATTRIBUTE_KEYS

SCHOOLS = {"12345", "23456"}
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


def full_mapping(**overrides):
    mapping = {
        "learnerId": {"source": f"{CLAIMS}employeeid"},
        "givenName": {"source": f"{CLAIMS}givenname"},
        "surname": {"source": f"{CLAIMS}surname"},
        "schoolCode": {"value": "12345"},
        "role": {"source": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"},
    }
    mapping.update(overrides)
    return mapping


def clean(raw, kind="entra"):
    return attribute_mapping_clean(raw, kind=kind, school_codes=SCHOOLS)


def test_a_full_mapping_is_clean_in_the_catalogues_order():
    mapping, errors = clean(full_mapping(classLevel={"value": "7"}, nickname={"source": "nickname"}))
    assert errors == {}
    assert list(mapping) == [key for key in MAPPED_ATTRIBUTE_KEYS if key in mapping]
    assert mapping["schoolCode"] == {"value": "12345"} and mapping["nickname"] == {"source": "nickname"}


def test_the_mandatory_attributes_are_the_five_of_the_data_model():
    assert {"givenName", "surname", "schoolCode", "role", "learnerId"} == MANDATORY_MAPPED_KEYS
    _mapping, errors = clean({})
    assert set(errors) == MANDATORY_MAPPED_KEYS
    assert all("Required" in message for message in errors.values())


def test_an_empty_entry_of_a_mandatory_attribute_is_an_error_there():
    mapping, errors = clean(full_mapping(surname={"source": "  "}))
    assert mapping == {} and list(errors) == ["surname"] and "Required" in errors["surname"]


def test_an_optional_attribute_may_be_left_out_or_empty():
    _mapping, errors = clean(full_mapping(nickname={"source": ""}, **{"class": None}))
    assert errors == {}


def test_an_unknown_attribute_is_named():
    _mapping, errors = clean(full_mapping(shoeSize={"source": "shoe"}))
    assert list(errors) == ["shoeSize"] and "Unknown attribute" in errors["shoeSize"]


def test_an_attribute_the_proxy_derives_is_not_mapped():
    _mapping, errors = clean(full_mapping(school={"source": "schoolName"}))
    assert list(errors) == ["school"]


def test_a_source_attribute_named_twice_names_both_attributes():
    _mapping, errors = clean(full_mapping(nickname={"source": f"{CLAIMS}givenname"}))
    assert set(errors) == {"givenName", "nickname"}
    assert "Given name" in errors["nickname"] and "Calling name" in errors["nickname"]


def test_both_a_source_and_a_value_is_an_error():
    _mapping, errors = clean(full_mapping(schoolCode={"source": "department", "value": "12345"}))
    assert list(errors) == ["schoolCode"] and "not both" in errors["schoolCode"]


@pytest.mark.parametrize("entry", [{"sauce": "x"}, {"source": 5}, ["source"], "givenname"])
def test_an_entry_of_the_wrong_shape_is_an_error(entry):
    _mapping, errors = clean(full_mapping(givenName=entry))
    assert list(errors) == ["givenName"]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("schoolCode", "1234", "five digits"),
        ("schoolCode", "99999", "not the code of one of the organisation's schools"),
        ("classLevel", "11", "0 to 10"),
        ("classLevel", "-1", "0 to 10"),
        ("learningMaterialsCharge", "2;12345", "0 (free) or 1 (paid)"),
        ("learningMaterialsCharge", "0;99999", "not the code"),
        ("role", "Astronaut", "Unknown role name"),
        ("role", "1.2.246.562.10.1;99999;7A;Oppilas;1;;", "not the code"),
        ("role", "1.2.246.562.10.1;12345;7A;Oppilas;2;;", "do not match"),
        ("learnerId", "1.2.246.562.24.1", "differs from user to user"),
        ("givenName", "Matti", "differs from user to user"),
    ],
)
def test_a_bad_static_value_is_named_at_its_attribute(key, value, words):
    _mapping, errors = clean(full_mapping(**{key: {"value": value}}))
    assert list(errors) == [key] and words in errors[key]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("role", "Opettaja"),
        ("role", "teacher"),
        ("role", "1.2.246.562.10.1;12345;7A;Oppilas;1;;"),
        ("learningMaterialsCharge", "1;23456"),
        ("learningMaterialsCharge", "0;1.2.246.562.10.99"),
        ("classLevel", "0"),
        ("classLevel", "10"),
    ],
)
def test_good_static_values_are_kept(key, value):
    mapping, errors = clean(full_mapping(**{key: {"value": value}}))
    assert errors == {} and mapping[key] == {"value": value}


@pytest.mark.parametrize(
    "name",
    ["given_name", "firstName", "urn:oid:2.5.4.42", "2.5.4.42", "urn:mpass.id:role", f"{CLAIMS}givenname",
     "https://claims.example.fi/learner-id", "extension_6f1d_learnerId"],
)  # fmt: skip
def test_plausible_attribute_names(name):
    assert source_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["given name", "名前", "2.5.x", "urn:x", "http://", "http://-bad-/x", "<script>", "a" * 257, "giv\u200bname"],
)
def test_implausible_attribute_names_are_refused(name):
    _mapping, errors = clean(full_mapping(givenName={"source": name}))
    assert list(errors) == ["givenName"]


@given(st.text(max_size=300))
def test_any_text_as_a_source_name_gets_an_answer_never_an_exception(name):
    mapping, errors = attribute_mapping_clean(
        full_mapping(givenName={"source": name}), kind="saml", school_codes=SCHOOLS
    )
    assert bool(mapping) != bool(errors)


@given(st.text(max_size=80))
def test_any_text_as_a_static_value_gets_an_answer(value):
    for key in ("schoolCode", "role", "classLevel", "learningMaterialsCharge"):
        mapping, errors = attribute_mapping_clean(
            full_mapping(**{key: {"value": value}}), kind="google", school_codes=SCHOOLS
        )
        assert bool(mapping) != bool(errors)


def test_a_mapping_that_is_not_an_object_is_refused():
    assert "__all__" in clean(["givenName"])[1]


@pytest.mark.parametrize("kind", ["wilma", "opinsys"])
def test_fixed_kinds_take_no_mapping(kind):
    _mapping, errors = clean(full_mapping(), kind=kind)
    assert "__all__" in errors


@pytest.mark.parametrize("kind", ["wilma", "opinsys"])
def test_wilma_and_opinsys_have_a_fixed_mapping_with_every_mandatory_attribute(kind):
    source = SimpleNamespace(kind=kind, attribute_mapping={"givenName": {"source": "ignored"}})
    assert effective_mapping(source) == FIXED_MAPPINGS[kind]
    assert effective_mapping(source)["givenName"] == {"source": "urn:oid:2.5.4.42"}
    assert mapping_missing_keys(source) == []


def test_missing_keys_are_the_unmapped_mandatory_ones_in_order():
    source = SimpleNamespace(kind="entra", attribute_mapping={"surname": {"source": "sn"}, "nickname": {"source": "n"}})
    assert mapping_missing_keys(source) == ["learnerId", "givenName", "schoolCode", "role"]
    assert effective_mapping(source) == {"surname": {"source": "sn"}, "nickname": {"source": "n"}}
