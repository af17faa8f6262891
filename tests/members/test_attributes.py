from members.attributes import ATTRIBUTE_KEYS, ATTRIBUTES, ROLE_NAMES, attribute_choices


def test_the_table_holds_every_attribute_of_the_information_model():
    assert ATTRIBUTE_KEYS == (
        "uid", "learnerId", "surname", "givenName", "municipalityCode", "municipality", "educationProviderInfo",
        "schoolCode", "school", "schoolInfo", "class", "classLevel", "role",
    )  # fmt: skip


def test_saml_names_claims_and_multiplicity_follow_design_section_4():
    assert ATTRIBUTES["uid"].saml_name == "urn:mpass.id:uid" and ATTRIBUTES["uid"].oidc_claim == "sub"
    assert ATTRIBUTES["learnerId"].saml_name == "urn:oid:1.3.6.1.4.1.16161.1.1.27"
    assert ATTRIBUTES["surname"].oidc_claim == "family_name"
    assert ATTRIBUTES["givenName"].saml_name == "urn:oid:2.5.4.42"
    multi = {key for key, attribute in ATTRIBUTES.items() if attribute.multi_valued}
    assert multi == {"educationProviderInfo", "schoolCode", "school", "schoolInfo", "class", "role"}


def test_every_attribute_has_labels_in_three_languages():
    for attribute in ATTRIBUTES.values():
        assert attribute.label_fi and attribute.label_sv and attribute.label_en
    assert ATTRIBUTES["school"].label("sv") == "Läroanstalt"
    assert len(attribute_choices("en")) == len(ATTRIBUTES)


def test_role_names():
    assert ROLE_NAMES == ("Oppilas", "Opettaja", "Hallintohenkilö", "Koulusihteeri", "Sijaisopettaja", "Rehtori")
