"""`discovery.json`: what the MPASSid login page lists (DESIGN section 5; issue 14). Public, no
token: everything in it is shown to anyone who opens the login page. Pure: no database access.

For each home organisation, each of its login sources in this environment (approved, as in
config.json) with its display names (each falling back to the source's name), titles, logo URL,
the schools listed under it and those left off, and the `authnContextClassRef` that selects it
directly.
"""

from __future__ import annotations

import json

from proxy.inputs import LoginSource, ProxyInputs

AUTHN_SOURCE_PREFIX = "urn:mpass.id:authnsource:"
LANGUAGES = ("fi", "sv", "en")


def _source_json(source: LoginSource, school_names: dict[str, str]) -> dict:
    served = set(source.school_codes)

    def schools(codes: tuple[str, ...]) -> list[dict]:
        return [{"code": code, "name": school_names.get(code, "")} for code in sorted(set(codes) & served)]

    return {
        "flow_name": source.flow_name,
        "kind": source.kind,
        "display_name": {lang: getattr(source.display_name, lang) or source.name for lang in LANGUAGES},
        "title": {lang: getattr(source.title, lang) for lang in LANGUAGES},
        "logo_url": source.logo_url or None,
        "schools": schools(source.listed_school_codes),
        "excluded_schools": schools(source.excluded_school_codes),
        "authn_context_class_ref": f"{AUTHN_SOURCE_PREFIX}{source.flow_name}",
    }


def discovery_json(inputs: ProxyInputs) -> bytes:
    """The login page's list as `json.dumps(..., sort_keys=True, ensure_ascii=False)` bytes.

    A home organisation with no login source in this environment is left out (nothing to choose);
    so is a source without a flow name (it cannot be selected)."""
    organisations = []
    for organisation in sorted(inputs.home_organisations, key=lambda o: o.key):
        names = {school.code: school.name for school in organisation.schools}
        sources = [
            _source_json(source, names)
            for source in sorted(organisation.login_sources, key=lambda s: s.key)
            if source.flow_name
        ]
        if sources:
            organisations.append(
                {"key": organisation.key, "name": dict(organisation.name.items()), "login_sources": sources}
            )
    document = {"environment": inputs.environment, "home_organisations": organisations}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
