"""Forms of the staff UI. They only parse input; the rules live in proxy/services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Snapshot ids are BigAutoField keys: a larger number cannot name one (and would not fit the query).
SNAPSHOT_ID_MAX = 2**63 - 1


class SnapshotDiffForm(forms.Form):
    """`?a=<id>&b=<id>` of the diff page: two snapshot numbers, never passed raw to a query."""

    a = forms.IntegerField(label=_("Earlier snapshot"), min_value=1, max_value=SNAPSHOT_ID_MAX)
    b = forms.IntegerField(label=_("Later snapshot"), min_value=1, max_value=SNAPSHOT_ID_MAX)
