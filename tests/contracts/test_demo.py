"""The demo agreements: signed memberships, one under notice, one ended; loading twice changes nothing."""

import pytest
from django.core.management import call_command

from contracts.models import AgreementVersion, Membership, Signature, Termination, TermStart

pytestmark = pytest.mark.django_db


def test_demo_agreements_load_twice_cleanly(capsys):
    call_command("load_demo")
    models = (AgreementVersion, Membership, Signature, Termination, TermStart)
    counts = [model.objects.count() for model in models]
    call_command("load_demo")
    assert [model.objects.count() for model in models] == counts
    assert "Agreements:" in capsys.readouterr().out
    states = [membership.state for membership in Membership.objects.prefetch_related("signatures")]
    assert states.count(Membership.State.UNDER_NOTICE) == 1
    assert states.count(Membership.State.ENDED) == 1
    assert states.count(Membership.State.AWAITING_OPERATOR) == 1
    assert states.count(Membership.State.IN_FORCE) >= 3
    version = AgreementVersion.objects.current()
    assert version is not None and version.text_fi and version.text_sv


def test_demo_membership_pdf_renders(db):
    from contracts.pdf import agreement_pdf_render

    call_command("load_demo")
    membership = Membership.objects.filter(in_force_from__isnull=False).first()
    assert agreement_pdf_render(membership).startswith(b"%PDF-")
