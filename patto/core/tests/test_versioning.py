"""core.versioning.update_versioned: the optimistic lock also keeps ``auto_now`` fields true."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from patto.cases import services
from patto.cases.models import Path
from patto.core.exceptions import ConflictError
from patto.core.versioning import update_versioned


@pytest.mark.django_db
def test_a_transition_moves_updated_at_and_a_stale_save_does_not(family_path, personas):
    case_manager = personas["case_manager"].user
    before = Path.objects.get(pk=family_path.pk).updated_at
    later = timezone.now() + timedelta(days=3)  # forward only: the personas' memberships start today
    with time_machine.travel(later, tick=False):
        services.advance_path(actor=case_manager, path=family_path, version=family_path.version)
        saved = Path.objects.get(pk=family_path.pk)
        assert saved.state == Path.State.PRE_ASSESSMENT
        assert saved.updated_at == later > before
        assert family_path.updated_at == later  # the instance in hand says what the row says
    with time_machine.travel(later + timedelta(days=1), tick=False), pytest.raises(ConflictError):
        update_versioned(saved, saved.version - 1, {"signal_summary": "Altro"})
    assert Path.objects.get(pk=family_path.pk).updated_at == later
