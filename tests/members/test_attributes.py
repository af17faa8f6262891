import pytest
from django.core.exceptions import ValidationError

from members.attributes import (
    ATTRIBUTE_KEYS,
    ATTRIBUTES,
    ROLE_BY_CODE,
    ROLE_NAMES,
    attribute_choices,
    validate_role_value,
)

PROVIDER = "1.2.246.562.10.346830761110"
SCHOOL_OID = "1.2.246.562.10.85149969462"
OFFICE_OID = "1.2.246.562.10.11111111111"


def test_the_table_holds_every_attribute_of_the_data_model_in_its_order():
    assert ATTRIBUTE_KEYS == (
        "uid", "learnerId", "givenName", "nickname", "surname", "educationProviderId", "educationProvider",
        "educationProviderInfo", "schoolCode", "school", "schoolInfo", "class", "classLevel",
        "learningMaterialsCharge", "role", "municipalityCode", "municipality",
    )  # fmt: skip


def test_saml_names_friendly_names_claims_and_multiplicity_follow_design_section_4():
    assert ATTRIBUTES["uid"].saml_name == "urn:mpass.id:uid" and ATTRIBUTES["uid"].oidc_claim == "sub"
    assert ATTRIBUTES["uid"].friendly_name == "mpassUsername"
    assert ATTRIBUTES["learnerId"].saml_name == "urn:oid:1.3.6.1.4.1.16161.1.1.27"
    # The key stays (services' stored requests use it); the published FriendlyName is what SPs expect.
    surname = ATTRIBUTES["surname"]
    assert (surname.saml_name, surname.friendly_name, surname.oidc_claim) == ("urn:oid:2.5.4.4", "sn", "family_name")
    assert ATTRIBUTES["givenName"].saml_name == "urn:oid:2.5.4.42"
    assert ATTRIBUTES["educationProviderId"].friendly_name == "mpassEducationProviderOid"
    assert ATTRIBUTES["educationProvider"].friendly_name == "mpassEducationProviderName"
    assert ATTRIBUTES["nickname"].saml_name == "urn:mpass.id:nickname"
    charge = ATTRIBUTES["learningMaterialsCharge"]
    assert charge.saml_name == "urn:mpass.id:learningMaterialsCharge"
    assert charge.friendly_name == "learningMaterialsCharge"
    assert charge.value_formats == ("charge;schoolCode", "charge;schoolOID") and charge.since == "1.3"
    assert ATTRIBUTES["schoolInfo"].value_formats == ("schoolCode;name", "schoolOID;name")
    assert ATTRIBUTES["role"].value_formats == ("providerOID;schoolCode;group;role;roleCode;schoolOID;officeOID",)
    single = {key for key, attribute in ATTRIBUTES.items() if not attribute.multi_valued}
    assert single == {"uid", "learnerId", "givenName", "nickname", "surname", "classLevel"}
    assert len({a.saml_name for a in ATTRIBUTES.values()}) == len(ATTRIBUTES)
    assert len({a.friendly_name for a in ATTRIBUTES.values()}) == len(ATTRIBUTES)


def test_every_attribute_has_labels_in_three_languages_a_description_and_a_version():
    for attribute in ATTRIBUTES.values():
        assert attribute.label_fi and attribute.label_sv and attribute.label_en
        assert str(attribute.description) and attribute.since in {"1.0", "1.1", "1.2", "1.3"}
    assert ATTRIBUTES["school"].label("sv") == "Läroanstalt"
    assert ATTRIBUTES["learningMaterialsCharge"].label("en") == "Learning materials charge"
    assert len(attribute_choices("en")) == len(ATTRIBUTES)


def test_role_names_and_codes():
    assert ROLE_NAMES == ("Oppilas", "Opettaja", "Hallintohenkilö", "Koulusihteeri", "Sijaisopettaja", "Rehtori")
    assert list(ROLE_BY_CODE) == ["1", "2", "3", "4", "5", "6"]


def _role(provider=PROVIDER, code="00001", group="7B", name="Oppilas", role_code="1", school=SCHOOL_OID, office=""):
    return ";".join([provider, code, group, name, role_code, school, office])


@pytest.mark.parametrize(
    "value",
    [
        _role(),
        _role(office=OFFICE_OID),
        _role(group="", name="Opettaja", role_code="2"),
        _role(name="Lärare", role_code="2"),
        _role(name="teacher", role_code="2"),
        _role(name="Elev"),
        _role(name="Learner"),
        _role(name="Skolsekreterare", role_code="4"),
        _role(name="Principal", role_code="6"),
        _role(name="Rektor", role_code="6"),
        _role(code="", school=SCHOOL_OID),
        _role(school=""),
    ],
)
def test_a_seven_part_role_value_with_a_known_name_and_code_is_accepted(value):
    validate_role_value(value)


@pytest.mark.parametrize(
    "value, code, words",
    [
        (f"{PROVIDER};00001;7B;Oppilas", "parts", "this one has 4"),
        (_role() + ";extra", "parts", "this one has 8"),
        (_role(role_code="9"), "role_code", "Unknown role code “9”"),
        (_role(role_code="x"), "role_code", "Unknown role code"),
        (_role(name="Vahtimestari"), "role_name", "Unknown role name “Vahtimestari”"),
        (_role(name="Opettaja", role_code="1"), "role_mismatch", "do not match"),
        (_role(provider="1.2.246.562.10."), "oid", "education provider OID"),
        (_role(provider=""), "oid", "education provider OID"),
        (_role(provider="1.2.246.562.10.012"), "oid", "education provider OID"),  # an arc has no leading zero
        (_role(school="1.2.x"), "oid", "school OID"),
        (_role(office="not-an-oid"), "oid", "office OID"),
        (_role(provider="1.2.246.562.10.١٢٣"), "oid", "education provider OID"),  # Arabic-Indic digits
        (_role(code="٠٠٠٠١"), "school_code", "exactly five digits"),
        (_role(code="1234"), "school_code", "exactly five digits"),
        (_role(code="", school=""), "school", "school code, school OID or both"),
    ],
)
def test_a_malformed_role_value_is_refused_naming_the_problem(value, code, words):
    with pytest.raises(ValidationError) as raised:
        validate_role_value(value)
    assert raised.value.code == code
    assert words in raised.value.messages[0]


# The keys of the 1.2 table as first written: stored requests use them, so none may be renamed.
KEYS_OF_MODEL_1_2 = (
    "uid", "learnerId", "surname", "givenName", "municipalityCode", "municipality", "educationProviderInfo",
    "schoolCode", "school", "schoolInfo", "class", "classLevel", "role",
)  # fmt: skip


def test_existing_services_keep_every_attribute_they_requested():
    from members.models import ServiceVersion

    version = ServiceVersion(requested_attributes=[{"key": key, "purpose": f"p-{key}"} for key in KEYS_OF_MODEL_1_2])
    released = {attribute.key: purpose for attribute, purpose in version.released_attributes()}
    assert released == {key: f"p-{key}" for key in KEYS_OF_MODEL_1_2}


def test_short_labels_name_catalogue_attributes_and_fall_back_to_the_label():
    from members.attributes import SHORT_LABELS

    assert set(SHORT_LABELS) <= set(ATTRIBUTES)
    assert ATTRIBUTES["educationProviderId"].short_label("sv") == "Anordnarens id"
    assert ATTRIBUTES["uid"].short_label("fi") == ATTRIBUTES["uid"].label("fi") == "Käyttäjätunniste"
    assert ATTRIBUTES["surname"].short_label("en") == "Surname"
