"""Finnish business ID (Y-tunnus): format and check digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only: \d also matches Arabic-Indic and full-width digits, which int() reads.
_FORMAT = re.compile(r"([0-9]{7})-([0-9])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(digits: str) -> int | None:
    """The check digit for seven digits, or None where no digit is valid (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_business_id(value: str) -> str:
    """Trim and pad the six-digit form some old registrations use ("123456-7" → "0123456-7")."""
    value = value.strip()
    if re.fullmatch(r"[0-9]{6}-[0-9]", value):
        value = "0" + value
    return value


def validate_business_id(value: str) -> None:
    match = _FORMAT.fullmatch(normalise_business_id(value))
    if not match:
        raise ValidationError(
            _("Enter the business ID as seven digits, a hyphen and a check digit, e.g. 0245437-2."),
            code="format",
        )
    expected = business_id_check_digit(match.group(1))
    if expected is None or expected != int(match.group(2)):
        raise ValidationError(
            _("The check digit of business ID %(value)s is wrong."), code="check_digit", params={"value": value}
        )
