"""Forms of the staff UI. They only parse input; the rules live in proxy/services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proxy.models import Environment

# Snapshot ids are BigAutoField keys: a larger number cannot name one (and would not fit the query).
SNAPSHOT_ID_MAX = 2**63 - 1


class SnapshotDiffForm(forms.Form):
    """`?a=<id>&b=<id>` of the diff page: two snapshot numbers, never passed raw to a query."""

    a = forms.IntegerField(label=_("Earlier snapshot"), min_value=1, max_value=SNAPSHOT_ID_MAX)
    b = forms.IntegerField(label=_("Later snapshot"), min_value=1, max_value=SNAPSHOT_ID_MAX)


class ProxyKeyForm(forms.Form):
    """A proxy public key pasted by staff; parsed and checked by `proxy.services.proxy_key_register`."""

    environment = forms.ChoiceField(label=_("Environment"), choices=Environment.choices)
    public_key = forms.CharField(
        label=_("Public key"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "The proxy's RSA public key (at least 2048 bits) as a PEM block or a JSON Web Key. Never the private key."
        ),
        max_length=20_000,
    )
