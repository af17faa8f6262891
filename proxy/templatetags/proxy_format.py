"""How the proxy staff pages write sizes, build reasons and stages: one helper each, so every
page shows them the same way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from proxy import build_reasons

register = template.Library()


@register.filter
def kilobytes(size: int | None) -> str:
    """A size in bytes as kilobytes (1 kB = 1000 bytes) with one decimal, in the active
    language's number format ("12,3 kB" in Finnish): one unit on every proxy page, so sizes can
    be compared at a glance (a 40 MB aggregate reads as 40 000,0 kB, not as "38.1 MB")."""
    if size is None or size == "":
        return "–"
    # Rounded here (Django's number_format cuts decimals off rather than rounding them).
    value = (Decimal(int(size)) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return gettext("%(size)s kB") % {"size": number_format(value, 1, use_l10n=True, force_grouping=True)}


@register.filter
def trigger_phrase(trigger: str) -> str:
    return build_reasons.trigger_phrase(trigger)


@register.filter
def stage_phrase(stage: str) -> str:
    return build_reasons.stage_phrase(stage)
