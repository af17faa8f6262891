"""The API's OpenAPI schema states the patterns and lengths the API enforces (issue 15, "Done
when"), and the stated URI patterns agree with the one URI check, members.uris."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from members.uris import ENTITY_ID_PATTERN, HTTPS_URL_PATTERN, validate_entity_id, validate_https_url

# Every URI a member sends through the API, by request body: (schema component, property path).
URI_PROPERTIES = [
    ("ServiceCreate", ["entity_id"]),
    ("ServiceCreate", ["logo_url"]),
    ("ServiceCreate", ["information_url"]),
    ("ServiceCreate", ["privacy_url"]),
    ("ServiceCreate", ["jwks_uri"]),
    ("ServiceCreate", ["redirect_uris", "items"]),
    ("ServiceCreate", ["post_logout_redirect_uris", "items"]),
    ("AcsEndpoint", ["location"]),
    ("LoginSourceWrite", ["entity_id"]),
    ("LoginSourceWrite", ["metadata_url"]),
    ("LoginSourceWrite", ["issuer"]),
]

SAMPLES = [
    "https://sp.example.fi/shibboleth",
    "https://sp.example.fi:8443/a/b?c=d#e",
    "HTTPS://SP.EXAMPLE.FI/",
    "http://sp.example.fi/sp",
    "urn:mace:example.fi:sp",
    "https://sp.example.fi/a b",
    "https://sp.example.fi/\x07",
    "https://sp.example.fi/\u202e",
    "https://sp.example.fi/\u200b",
    "https://user:secret@sp.example.fi/",
    "/relative/path",
    "ftp://sp.example.fi/",
    "sp.example.fi",
    "",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _property(schema: dict, component: str, path: list[str]) -> dict:
    node = schema["components"]["schemas"][component]["properties"]
    node = node[path[0]]
    for key in path[1:]:
        node = node[key]
    return node


@pytest.mark.parametrize(("component", "path"), URI_PROPERTIES, ids=lambda v: v if isinstance(v, str) else ".".join(v))
def test_every_uri_field_of_a_request_states_its_pattern_and_length(schema, component, path):
    prop = _property(schema, component, path)
    if "oneOf" in prop:  # a field that may be blank: the URI, or the empty string
        prop, blank = prop["oneOf"]
        assert blank == {"type": "string", "maxLength": 0}
    assert prop["pattern"] in (HTTPS_URL_PATTERN, ENTITY_ID_PATTERN)
    assert prop["maxLength"] in (400, 500)


def test_request_texts_state_their_lengths(schema):
    for component in ("ServiceCreate", "LoginSourceWrite", "SchoolWrite", "SchoolImport"):
        for name, prop in schema["components"]["schemas"][component]["properties"].items():
            if prop.get("type") == "string" and "enum" not in prop:
                assert "maxLength" in prop, f"{component}.{name} states no length"


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
@pytest.mark.parametrize(
    ("pattern", "validator"), [(HTTPS_URL_PATTERN, validate_https_url), (ENTITY_ID_PATTERN, validate_entity_id)]
)
def test_what_the_validator_accepts_the_pattern_accepts(sample, pattern, validator):
    # The pattern is the part a client can check before sending: anything the check accepts must
    # match it, and what fails it for its characters or form must fail the pattern too.
    try:
        validator(sample)
    except ValidationError:
        accepted = False
    else:
        accepted = bool(sample)
    matches = re.fullmatch(pattern, sample) is not None
    if accepted:
        assert matches
    elif "@" not in sample:  # credentials are refused by the check only; '@' is fine in a path
        assert not matches


@pytest.mark.parametrize("field", ["description_fi", "name_sv"])
def test_a_text_over_its_stated_length_is_a_field_error(field, provider_a, tech_provider_a, schema):
    from members.models import Service
    from tests.conftest import api_client_for
    from tests.members.conftest import saml_data

    limit = schema["components"]["schemas"]["ServiceCreate"]["properties"][field]["maxLength"]
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://long.example.fi/sp", **saml_data(**{field: "x" * (limit + 1)})}  # fmt: skip
    response = api_client_for(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {field}
    assert not Service.objects.exists()
