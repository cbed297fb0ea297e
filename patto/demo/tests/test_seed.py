import io

import pytest
from django.core.management import call_command

from patto.accounts.models import User
from patto.documents.models import Attachment
from patto.governance.models import Adhesion, CommitmentUpdate
from patto.helpdesk.models import Question
from patto.notifications.models import Notification
from patto.referrals.models import Request, RequestMessage

from .consistency import the_demo_is_consistent
from .funding_checks import the_funding_tells_its_story
from .helpdesk_checks import the_help_desk_tells_its_stories
from .indicator_checks import the_indicators_match_their_oracle
from .offer_checks import the_offer_tells_its_story
from .referrals_checks import every_account_has_news_it_can_open, the_requests_tell_every_story


@pytest.mark.django_db
def test_the_demo_district_seeds_with_its_documents_and_twice_changes_nothing(settings):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo.coordinatore" in out.getvalue()
    signed = Adhesion.objects.filter(signed_document__isnull=False)
    assert signed.count() >= 5 and Adhesion.objects.filter(signed_document__isnull=True).exists()
    assert CommitmentUpdate.objects.filter(evidence_file__isnull=False).count() == 3
    assert all(a.kind == "pdf" and a.size > 1000 for a in Attachment.objects.all())
    assert "demo.responsabile.ausl" in out.getvalue()

    def counts():
        return [m.objects.count() for m in (User, Attachment, Request, RequestMessage, Notification, Question)]

    before = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
    _the_demo_tells_the_truth()
    _families_in_a_path_count_agreements_in_force()
    the_demo_is_consistent()
    the_funding_tells_its_story()
    the_requests_tell_every_story()
    every_account_has_news_it_can_open()
    the_help_desk_tells_its_stories()
    the_offer_tells_its_story()
    the_indicators_match_their_oracle()


def _families_in_a_path_count_agreements_in_force():
    """Issue 11: the indicator "Famiglie in un percorso PIPPI" of the demo's first half of 2026 is the number of
    families with an agreement in force in the period (it was 0: it counted records by their creation date)."""
    from django.db.models import Q

    from patto.cases.models import Path
    from patto.governance.indicators import values_for
    from patto.governance.models import Indicator, MonitoringPeriod

    period = MonitoringPeriod.objects.get(name="Primo semestre 2026")
    indicator = Indicator.objects.get(source="families_in_path")
    in_force = (
        Path.objects.filter(family__district=period.pact.district, agreement__signed_on__lte=period.ends_on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.starts_on))
        .values("family")
        .distinct()
        .count()
    )
    assert in_force >= 10
    assert values_for([indicator], period)[indicator.pk]["value"] == in_force


def _the_demo_tells_the_truth():
    """Issue 8: families that refused school sharing have no school seat, no school note, partnership or
    school action; closed paths past the grace period have no open seat but the case manager's; and every
    seat is held by someone whose institution is in standing."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from patto.cases.models import SCHOOL_KINDS, ConsentItem, DeviceActivation, Note, Path, PlanAction, TeamMember
    from patto.cases.queries import seats_in_force

    today = timezone.localdate()
    for path in Path.objects.all():
        consented = set(ConsentItem.objects.in_force().filter(path=path).values_list("institution_id", flat=True))
        school_seats = TeamMember.objects.filter(path=path, institution__kind__in=SCHOOL_KINDS)
        assert set(school_seats.values_list("institution_id", flat=True)) <= consented, path
        assert set(Note.objects.filter(path=path, audience="school").values_list("school_id", flat=True)) <= consented
        assert (
            set(DeviceActivation.objects.filter(path=path, school__isnull=False).values_list("school_id", flat=True))
            <= consented
        )
        assert (
            set(
                PlanAction.objects.filter(goal__path=path, institution__kind__in=SCHOOL_KINDS).values_list(
                    "institution_id", flat=True
                )
            )
            <= consented
        )
    refused = Path.objects.exclude(agreement=None).exclude(consents__isnull=False)
    assert (
        refused.exists()
        and not TeamMember.objects.filter(path__in=refused, institution__kind__in=SCHOOL_KINDS).exists()
    )
    grace = timedelta(days=settings.PATTO_CLOSURE_GRACE_DAYS)
    past_grace = Path.objects.filter(state="closed", closed_on__lt=today - grace)
    assert past_grace.exists()
    open_seats = seats_in_force().filter(path__in=past_grace).exclude(team_role="case_manager")
    assert not open_seats.exists()
    # Every seat is in force but those of paths closed past the grace period and the case manager's seats a
    # transfer ended (issue 10).
    moved = TeamMember.objects.filter(team_role="case_manager", ended_at__isnull=False, path__requests__kind="transfer")
    assert (
        TeamMember.objects.count()
        == seats_in_force().count()
        + TeamMember.objects.filter(path__in=past_grace).exclude(team_role="case_manager").count()
        + moved.count()
    )
