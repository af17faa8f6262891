"""Object identifiers (OIDs) of organisations, schools and offices (DESIGN section 2).

The national organisation register (Organisaatiopalvelu) gives every education provider, school
and office an OID under Opetushallitus' arc `1.2.246.562`: organisations under `.10`, and a few
older ones (imported from earlier registers) under `.99`. MPASSid sends these OIDs in the role
value and in `schoolInfo`, so a typing error here reaches every service provider.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.attributes import OID_RE

ORGANISATION_OID_ARCS = ("1.2.246.562.10.", "1.2.246.562.99.")
OID_MAX_LENGTH = 100
# For the OpenAPI schema and HTML `pattern`: the same rule as validate_oid, as one expression.
ORGANISATION_OID_PATTERN = r"^1\.2\.246\.562\.(10|99)(\.(0|[1-9][0-9]*))+$"


def validate_oid(value: str) -> None:
    """An organisation OID: dotted decimal arcs (ASCII digits, no leading zeros, first arc 0–2)
    under the organisation register's arcs `1.2.246.562.10.` or `1.2.246.562.99.`.

    Raises ValidationError (code "oid"); the caller's field gives the message its name.
    """
    # OID_RE is ASCII-only: `\d` would take Arabic-Indic or full-width digits that look the same.
    if len(value) > OID_MAX_LENGTH or not OID_RE.fullmatch(value):
        raise ValidationError(
            _("This is not an OID: digits 0–9 in groups separated by dots, such as 1.2.246.562.10.12345678901."),
            code="oid",
        )
    if not value.startswith(ORGANISATION_OID_ARCS):
        raise ValidationError(
            _("An OID from the national organisation register begins with 1.2.246.562.10. (or 1.2.246.562.99.)."),
            code="oid",
        )
