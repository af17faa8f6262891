"""What changed between two snapshots, for staff review (pure: no database).

Works from the snapshots' content: `config.json` carries the services (with released attributes
and OIDC settings) and the home organisations with their schools and login sources; `index.json`
carries each service's input fingerprint, which also moves when something only the SAML metadata
holds (endpoints, certificates, contacts, descriptions) changed. Each added, removed and changed
service, home organisation and login source is named, with what changed in it in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.models import LoginSourceKind


@dataclass
class Change:
    """One service, home organisation or login source that was added, removed or changed."""

    name: str
    identifier: str = ""
    # Where it belongs (a login source's home organisation), "" otherwise.
    context: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class Section:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class SnapshotDiff:
    services: Section = field(default_factory=Section)
    home_organisations: Section = field(default_factory=Section)
    login_sources: Section = field(default_factory=Section)

    @property
    def empty(self) -> bool:
        return self.services.empty and self.home_organisations.empty and self.login_sources.empty


def _localized(names: dict | str | None, fallback: str = "") -> str:
    """A fi/sv/en name in the active language, else the first there is."""
    if isinstance(names, str):
        return names or fallback
    names = names or {}
    language = (get_language() or "fi")[:2]
    return names.get(language) or names.get("fi") or names.get("sv") or names.get("en") or fallback


def _listed(values: list) -> str:
    return ", ".join(str(value) for value in values)


def _added_removed(before: list, after: list, *, added: str, removed: str) -> list[str]:
    """Phrases for what a list gained and lost; `added`/`removed` hold %(values)s."""
    old, new = list(dict.fromkeys(before or [])), list(dict.fromkeys(after or []))
    details = []
    gained = [value for value in new if value not in old]
    lost = [value for value in old if value not in new]
    if gained:
        details.append(added % {"values": _listed(gained)})
    if lost:
        details.append(removed % {"values": _listed(lost)})
    return details


def _from_to(label: str, before: object, after: object) -> str:
    return _("%(what)s changed from %(before)s to %(after)s") % {
        "what": label,
        "before": before if before not in ("", None) else _("(none)"),
        "after": after if after not in ("", None) else _("(none)"),
    }


def _yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def _service_details(old: dict, new: dict, *, fingerprint_moved: bool) -> list[str]:
    details: list[str] = []
    if old.get("name") != new.get("name"):
        details.append(_from_to(_("name"), _localized(old.get("name")), _localized(new.get("name"))))
    if old.get("organisation") != new.get("organisation"):
        details.append(
            _from_to(_("provider"), _localized(old.get("organisation")), _localized(new.get("organisation")))
        )
    details += _added_removed(
        old.get("attributes", []), new.get("attributes", []),
        added=_("attributes added: %(values)s"), removed=_("attributes removed: %(values)s"),
    )  # fmt: skip
    if old.get("attributes") == new.get("attributes") and old.get("released") != new.get("released"):
        details.append(_("attribute names or whether they are required changed"))
    if old.get("test_learner_numbers_allowed") != new.get("test_learner_numbers_allowed"):
        details.append(
            _("test learner numbers now allowed")
            if new.get("test_learner_numbers_allowed")
            else _("test learner numbers no longer allowed")
        )
    for key, label in (
        ("redirect_uris", _("redirect URIs")),
        ("post_logout_redirect_uris", _("post-logout redirect URIs")),
    ):
        if old.get(key) != new.get(key):
            changes = _added_removed(
                old.get(key, []), new.get(key, []),
                added=_("%(what)s added: %(values)s") % {"what": label, "values": "%(values)s"},
                removed=_("%(what)s removed: %(values)s") % {"what": label, "values": "%(values)s"},
            )  # fmt: skip
            details += changes or [_("%(what)s reordered") % {"what": label}]
    for key, label in (
        ("token_endpoint_auth_method", _("client authentication")),
        ("jwks_uri", _("JWKS URI")),
        ("scope", _("scope")),
    ):
        if old.get(key) != new.get(key):
            details.append(_from_to(label, old.get(key), new.get(key)))
    if old.get("pkce_required") != new.get("pkce_required"):
        details.append(
            _from_to(_("PKCE required"), _yes_no(old.get("pkce_required")), _yes_no(new.get("pkce_required")))
        )
    for key, label in (("grant_types", _("grant types")), ("response_types", _("response types"))):
        if old.get(key) != new.get(key):
            details.append(_from_to(label, _listed(old.get(key, [])), _listed(new.get(key, []))))
    if not details and fingerprint_moved:
        # What config.json does not carry: the SAML metadata's parts, or an OIDC client secret.
        details.append(
            _("SAML metadata changed (endpoints, certificates, contacts or descriptions)")
            if new.get("protocol") == "saml"
            else _("client secret or other settings changed")
        )
    return details


def _kind(kind: str) -> str:
    return str(LoginSourceKind(kind).label) if kind in LoginSourceKind.values else kind


def _school(school: dict) -> str:
    return f"{school.get('code', '')} {school.get('name', '')}".strip()


def _home_details(old: dict, new: dict, service_names: dict[str, str]) -> list[str]:
    details: list[str] = []
    if old.get("name") != new.get("name"):
        details.append(_from_to(_("name"), _localized(old.get("name")), _localized(new.get("name"))))
    if old.get("oid") != new.get("oid"):
        details.append(_from_to(_("OID"), old.get("oid"), new.get("oid")))
    details += _added_removed(
        old.get("municipality_codes", []), new.get("municipality_codes", []),
        added=_("municipality codes added: %(values)s"), removed=_("municipality codes removed: %(values)s"),
    )  # fmt: skip
    before, after = old.get("allowed_services"), new.get("allowed_services")
    if before != after:
        if after is None:
            details.append(_("its users may now use all services"))
        elif before is None:
            names = [service_names.get(key, key) for key in after]
            details.append(_("its users may now use only: %(values)s") % {"values": _listed(names) or _("(none)")})
        else:
            details += _added_removed(
                [service_names.get(key, key) for key in before], [service_names.get(key, key) for key in after],
                added=_("allowed services added: %(values)s"), removed=_("allowed services removed: %(values)s"),
            )  # fmt: skip
    old_schools = {school["code"]: school for school in old.get("schools", [])}
    new_schools = {school["code"]: school for school in new.get("schools", [])}
    gained = [_school(new_schools[code]) for code in sorted(set(new_schools) - set(old_schools))]
    lost = [_school(old_schools[code]) for code in sorted(set(old_schools) - set(new_schools))]
    if gained:
        details.append(_("schools added: %(values)s") % {"values": _listed(gained)})
    if lost:
        details.append(_("schools removed: %(values)s") % {"values": _listed(lost)})
    for code in sorted(set(old_schools) & set(new_schools)):
        a, b = old_schools[code], new_schools[code]
        if a == b:
            continue
        if a.get("closed") != b.get("closed"):
            phrase = _("school %(school)s closed") if b.get("closed") else _("school %(school)s reopened")
            details.append(phrase % {"school": _school(b)})
        elif a.get("name") != b.get("name"):
            details.append(_from_to(_("school %(code)s's name") % {"code": code}, a.get("name"), b.get("name")))
        else:
            details.append(_("school %(school)s: OID or offices changed") % {"school": _school(b)})
    return details


def _source_details(old: dict, new: dict) -> list[str]:
    details: list[str] = []
    if old.get("kind") != new.get("kind"):
        details.append(_from_to(_("kind"), _kind(old.get("kind", "")), _kind(new.get("kind", ""))))
    for key, label in (("identifier", _("identifier")), ("name", _("name")), ("metadata_url", _("metadata URL"))):
        if old.get(key) != new.get(key):
            details.append(_from_to(label, old.get(key), new.get(key)))
    details += _added_removed(
        old.get("schools", []), new.get("schools", []),
        added=_("schools served added: %(values)s"), removed=_("schools served removed: %(values)s"),
    )  # fmt: skip
    if old.get("attribute_mapping", {}) != new.get("attribute_mapping", {}):
        details.append(_("attribute mapping changed"))
    return details


def _source_change(source: dict, organisation: dict, details: list[str] | None = None) -> Change:
    return Change(
        name=source.get("name") or _kind(source.get("kind", "")),
        identifier=source.get("identifier", ""),
        context=_localized(organisation.get("name"), organisation.get("key", "")),
        details=details or [],
    )


def snapshot_diff(
    before: dict, after: dict, *, before_config: dict | None = None, after_config: dict | None = None
) -> SnapshotDiff:
    """Compare two snapshots' `index.json` and `config.json` documents."""
    before_config, after_config = before_config or {}, after_config or {}
    result = SnapshotDiff()
    fingerprints_old, fingerprints_new = before.get("services", {}), after.get("services", {})
    old = {s["requester"]: s for s in before_config.get("services", [])}
    new = {s["requester"]: s for s in after_config.get("services", [])}
    # A snapshot's config.json may be missing (failed build): fall back on its index.
    for requester, entry in fingerprints_old.items():
        old.setdefault(requester, {"requester": requester, "name": {"en": entry.get("name", "")}, **entry})
    for requester, entry in fingerprints_new.items():
        new.setdefault(requester, {"requester": requester, "name": {"en": entry.get("name", "")}, **entry})

    def service(data: dict, details: list[str] | None = None) -> Change:
        provider = _localized(data.get("organisation"))
        return Change(
            name=_localized(data.get("name"), data["requester"]), identifier=data["requester"],
            context=provider, details=details or [],
        )  # fmt: skip

    result.services.added = [service(new[r]) for r in sorted(set(new) - set(old))]
    result.services.removed = [service(old[r]) for r in sorted(set(old) - set(new))]
    for requester in sorted(set(old) & set(new)):
        moved = fingerprints_old.get(requester, {}).get("fingerprint") != fingerprints_new.get(requester, {}).get(
            "fingerprint"
        )
        details = _service_details(old[requester], new[requester], fingerprint_moved=moved)
        if details:
            result.services.changed.append(service(new[requester], details))

    service_names = {
        data.get("key", ""): _localized(data.get("name"), data.get("requester", ""))
        for data in [*old.values(), *new.values()]
    }
    old_homes = {h["key"]: h for h in before_config.get("home_organisations", [])}
    new_homes = {h["key"]: h for h in after_config.get("home_organisations", [])}

    def home(data: dict, details: list[str] | None = None) -> Change:
        return Change(
            name=_localized(data.get("name"), data["key"]), identifier=data.get("oid", ""), details=details or []
        )

    result.home_organisations.added = [home(new_homes[k]) for k in sorted(set(new_homes) - set(old_homes))]
    result.home_organisations.removed = [home(old_homes[k]) for k in sorted(set(old_homes) - set(new_homes))]
    for key in sorted(set(old_homes) & set(new_homes)):
        details = _home_details(old_homes[key], new_homes[key], service_names)
        if details:
            result.home_organisations.changed.append(home(new_homes[key], details))

    old_sources = {(h["key"], s["key"]): (s, h) for h in old_homes.values() for s in h.get("login_sources", [])}
    new_sources = {(h["key"], s["key"]): (s, h) for h in new_homes.values() for s in h.get("login_sources", [])}
    result.login_sources.added = [_source_change(*new_sources[k]) for k in sorted(set(new_sources) - set(old_sources))]
    result.login_sources.removed = [
        _source_change(*old_sources[k]) for k in sorted(set(old_sources) - set(new_sources))
    ]
    for key in sorted(set(old_sources) & set(new_sources)):
        details = _source_details(old_sources[key][0], new_sources[key][0])
        if details:
            result.login_sources.changed.append(_source_change(*new_sources[key], details))
    return result
