from __future__ import annotations

import pytest
from lxml import etree

from trustnet.proxy import build
from trustnet.proxy.models import Publication, Snapshot
from trustnet.proxy.services import snapshot_build


@pytest.mark.django_db
def test_build_of_small_register_is_valid_and_published(small_register):
    snapshot = snapshot_build(environment="test", trigger="test")
    assert snapshot.errors == []
    assert snapshot.status == Snapshot.Status.VALID
    assert Publication.objects.get(environment="test").snapshot == snapshot
    metadata = build.read_file(snapshot, "metadata.xml")
    root = etree.fromstring(metadata)
    assert root.tag.endswith("EntitiesDescriptor")
