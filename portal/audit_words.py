"""The audit log's words: what each recorded action and each kind of object is called.

The codes are written by every app (`audit_record(action=...)`); their names live here, in the
top layer, because `audit` may import nothing and the other apps must not know about this page.
A test (tests/portal/test_audit_words.py) collects every code in the code base and fails if one
has no name here, so a new code cannot reach the page as a raw string.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# Grouped as the filter offers them; the order is the order of the groups in the list.
ACTION_GROUPS: dict[str, dict[str, str]] = {
    _("Organisations"): {
        "organisation.create": _("Organisation added"),
        "organisation.update": _("Organisation details changed"),
        "organisation.allowed_services": _("Allowed services changed"),
        "organisation.register_sync": _("Updated from the organisation register"),
        "organisation.register_notified": _("Staff told of changes in the organisation register"),
        "contact.save": _("Contact saved"),
        "contact.delete": _("Contact removed"),
        "school.save": _("School saved"),
        "school.close": _("School closed"),
        "school.delete": _("School removed"),
        "school.import": _("Schools imported"),
        "office.save": _("Office saved"),
        "office.delete": _("Office removed"),
        "login_source.save": _("Login source saved"),
        "login_source.metadata_check": _("Login source metadata checked"),
        "login_source.delete": _("Login source removed"),
        "login_source.mapping": _("Login source attribute mapping saved"),
        "login_source.promote": _("Login source's promotion to production requested"),
        "login_source.approve": _("Login source approved for production"),
        "login_source.reject": _("Login source's promotion to production refused"),
        "login_source.login_page": _("Login source's login page entry changed"),
    },
    _("Services"): {
        "service.create": _("Service submitted"),
        "service.change": _("Service change submitted"),
        "service.approve": _("Service approved"),
        "service.promote": _("Promotion to production requested"),
        "service.reject": _("Service rejected"),
        "service.withdraw": _("Service withdrawn"),
        "service.secret_rotate": _("Client secret renewed"),
        "service.certificate_expiry_warned": _("Warned of an expiring certificate"),
        "review_policy.set": _("Review settings changed"),
    },
    _("People and accounts"): {
        "accounts.invitation.create": _("Invitation sent"),
        "accounts.invitation.accept": _("Invitation accepted"),
        "accounts.invitation.revoke": _("Invitation cancelled"),
        "accounts.user.create": _("Account created"),
        "accounts.role.grant": _("Role given"),
        "accounts.role.revoke": _("Role removed"),
        "accounts.api_token.create": _("API key created"),
        "accounts.api_token.revoke": _("API key revoked"),
    },
    _("Agreements and memberships"): {
        "agreement_version.create": _("Agreement version drafted"),
        "agreement_version.update": _("Agreement version edited"),
        "agreement_version.publish": _("Agreement version published"),
        "agreement.sign": _("Agreement signed by the member"),
        "agreement.countersign": _("Agreement countersigned by the operator"),
        "membership.in_force": _("Membership came into force"),
        "membership.version_move": _("Membership moved to a new agreement version"),
        "membership.terminate": _("Notice of termination given"),
        "membership.end_date": _("Membership end date changed"),
        "membership.notice_withdraw": _("Notice of termination withdrawn"),
        "membership.end": _("Membership ended"),
        "breach_notice.create": _("Breach notice given"),
        "breach_notice.respond": _("Breach notice answered"),
        "breach_notice.outcome": _("Outcome of a breach notice recorded"),
        "term_start.create": _("Term start date added"),
        "term_start.delete": _("Term start date removed"),
    },
    _("Steering group"): {
        "steering_group.create": _("Steering group created"),
        "steering_group.update": _("Steering group rules changed"),
        "seat.create": _("Seat added"),
        "seat.update": _("Seat changed"),
        "proposal.create": _("Proposal drafted"),
        "proposal.open": _("Voting opened"),
        "proposal.remind": _("Reminder to vote sent"),
        "vote.cast": _("Vote cast"),
        "vote.change": _("Vote changed"),
        "proposal.close": _("Voting closed"),
        "proposal.notify": _("Members informed of the change"),
        "proposal.apply": _("Agreement change applied"),
        "change_notice.accept": _("Member accepted the change"),
        "change_notice.terminate": _("Member terminated because of the change"),
    },
    _("Proxy configuration"): {
        "proxy.snapshot_built": _("Configuration built"),
        "proxy.snapshot_failed": _("Configuration build failed"),
        "proxy.published": _("Configuration published"),
        "proxy.snapshots_pruned": _("Old configurations removed"),
        "proxy.token_created": _("Proxy token created"),
        "proxy.token_revoked": _("Proxy token revoked"),
        "proxy.key_registered": _("Proxy key registered"),
    },
    _("The log"): {
        "audit.chain_keyed": _("Log sealed with a key"),
    },
}

ACTION_NAMES: dict[str, str] = {code: name for group in ACTION_GROUPS.values() for code, name in group.items()}

# Models whose own verbose_name is missing (they live in apps this page may not change).
OBJECT_TYPE_NAMES: dict[str, str] = {
    "proxy.snapshot": _("proxy configuration"),
    "proxy.proxytoken": _("proxy token"),
    "proxy.publication": _("publication"),
    "proxy.fragment": _("configuration fragment"),
    "proxy.entitydocument": _("entity document"),
    "audit.chainhead": _("end of the log"),
    "members.previousclientsecret": _("previous client secret"),
    "steering.eligibleseat": _("seat entitled to vote"),
}

# Keys that services write beside a model's own fields (`after={"live_version": ...}`), and the
# names of model fields that have no verbose_name of their own (a test keeps the list complete).
EXTRA_FIELD_NAMES: dict[str, str] = {
    "reminded_at": _("reminded at"),
    "abstain_count": _("abstentions"),
    "accepted_at": _("accepted at"),
    "accepted_by": _("accepted by"),
    "actor": _("actor"),
    "after": _("after"),
    "allowed_services": _("allowed services"),
    "applied_at": _("applied at"),
    "auto_approved": _("approved automatically"),
    "before": _("before"),
    "breach_notice": _("breach notice"),
    "cast_at": _("cast at"),
    "cast_by": _("cast by"),
    "cert_fingerprint": _("certificate fingerprint"),
    "certificates": _("certificates"),
    "changed": _("changed"),
    "changed_at": _("changed at"),
    "checked": _("checked"),
    "client_id": _("client ID"),
    "client_secret_encrypted": _("client secret"),
    "closed_at": _("closed at"),
    "content_hash": _("content checksum"),
    "count": _("number of entries"),
    "created": _("added"),
    "created_at": _("created at"),
    "created_by": _("created by"),
    "cutoff": _("older than"),
    "document_id": _("document ID"),
    "eligible_seats": _("seats entitled to vote"),
    "emails": _("emails sent"),
    "encryption_certificate_expires_at": _("encryption certificate expires"),
    "entity_count": _("number of entities"),
    "entity_documents": _("entity documents"),
    "entity_id": _("entity ID"),
    "environment": _("environment"),
    "errors": _("errors"),
    "expires_at": _("expires"),
    "expiry_warned_at": _("expiry warned at"),
    "files": _("files"),
    "fingerprint": _("fingerprint"),
    "fragment_key": _("fragment"),
    "fragments": _("fragments"),
    "fragments_skipped": _("fragments kept"),
    "given_at": _("given at"),
    "given_by_user": _("given by"),
    "granted_at": _("granted at"),
    "granted_by": _("granted by"),
    "grants_staff": _("makes operator staff"),
    "group": _("steering group"),
    "hash": _("checksum"),
    "holder": _("seat holder"),
    "holder_name": _("name of the seat holder"),
    "invited_by": _("invited by"),
    "kept_snapshots": _("configurations kept"),
    "key": _("key"),
    "key_id": _("key"),
    "key_size": _("key size"),
    "language": _("language"),
    "last_entry_id": _("last entry"),
    "last_hash": _("last checksum"),
    "last_used_at": _("last used"),
    "length": _("number of entries"),
    "live_version": _("version in use"),
    "majority": _("majority"),
    "majority_denominator": _("majority, denominator"),
    "majority_numerator": _("majority, numerator"),
    "membership": _("membership"),
    "memberships": _("memberships"),
    "metadata_sha256": _("metadata checksum"),
    "metadata_url": _("metadata address"),
    "minutes_pdf": _("minutes (PDF)"),
    "moved_at": _("moved at"),
    "name": _("name"),
    "no_count": _("votes against"),
    "notified_at": _("informed at"),
    "opened_at": _("opened at"),
    "organisation": _("organisation"),
    "organisation_name": _("name of the organisation"),
    "organisations": _("organisations"),
    "outcome_at": _("outcome recorded at"),
    "overlap_days": _("days the old secret stays valid"),
    "passed": _("passed"),
    "pdf": _("PDF"),
    "prefix": _("prefix"),
    "prev_hash": _("checksum of the previous entry"),
    "previous_valid_until": _("old secret valid until"),
    "proposal": _("proposal"),
    "published_at": _("published at"),
    "published_by": _("published by"),
    "quorum": _("quorum"),
    "quorum_denominator": _("quorum, denominator"),
    "quorum_numerator": _("quorum, numerator"),
    "reacted_at": _("reacted at"),
    "reacted_by": _("reacted by"),
    "reaction": _("reaction"),
    "reason": _("reason"),
    "report": _("build report"),
    "responded_at": _("answered at"),
    "responded_by": _("answered by"),
    "retention_days": _("days kept"),
    "reviewed_at": _("reviewed at"),
    "reviewed_by": _("reviewed by"),
    "revoked_at": _("revoked at"),
    "roles": _("roles"),
    "school": _("school"),
    "seat": _("seat"),
    "seat_count": _("number of seats"),
    "secret_encrypted": _("secret"),
    "service": _("service"),
    "service_count": _("number of services"),
    "services": _("services"),
    "sha256": _("SHA-256 checksum"),
    "signed_at": _("signed at"),
    "signing_certificate_expires_at": _("signing certificate expires"),
    "snapshot": _("configuration"),
    "snapshot_ids": _("configurations removed"),
    "snapshots": _("configurations"),
    "source": _("login source"),
    "status": _("status"),
    "submitted_at": _("submitted at"),
    "submitted_by": _("submitted by"),
    "terminations": _("terminations"),
    "text_sha256": _("checksum of the text"),
    "text_sha256_fi": _("checksum of the Finnish text"),
    "token_hash": _("token checksum"),
    "trigger": _("reason for the build"),
    "updated": _("updated"),
    "updated_at": _("updated at"),
    "user": _("user"),
    "valid_until": _("valid until"),
    "version": _("version"),
    "votes": _("votes"),
    "was_withdrawn": _("was withdrawn"),
    "withdrawn_by": _("withdrawn by"),
    "xml": _("XML"),
    "yes_count": _("votes for"),
}

SYSTEM_ACTOR = _("the system")


def action_name(code: str) -> str:
    """The action in words; a code missing from the map (prevented by a test) reads as 'other change'."""
    return ACTION_NAMES.get(code) or _("Other change")


def object_type_name(label: str) -> str:
    """A kind of object in words, e.g. 'Organisation' for `members.organisation`."""
    if label in OBJECT_TYPE_NAMES:
        return capfirst(OBJECT_TYPE_NAMES[label])
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return _("Other object")
    return capfirst(model._meta.verbose_name)


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The action filter's grouped choices (an optgroup per domain)."""
    return [(group, list(names.items())) for group, names in ACTION_GROUPS.items()]
