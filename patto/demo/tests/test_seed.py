import io

import pytest
from django.core.management import call_command

from patto.accounts.models import User
from patto.documents.models import Attachment
from patto.governance.models import Adhesion, CommitmentUpdate


@pytest.mark.django_db
def test_the_demo_district_seeds_with_its_documents_and_twice_changes_nothing(settings):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo.coordinatore" in out.getvalue()
    signed = Adhesion.objects.filter(signed_document__isnull=False)
    assert signed.count() >= 5 and Adhesion.objects.filter(signed_document__isnull=True).exists()
    assert CommitmentUpdate.objects.filter(evidence_file__isnull=False).count() == 3
    assert all(a.kind == "pdf" and a.size > 1000 for a in Attachment.objects.all())
    counts = (User.objects.count(), Attachment.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Attachment.objects.count()) == counts
