"""What the demo's offer must show (issue 12, section 2): the offer of the demo's dispositivi, two dispositivi with
families waiting (entered by each path's case manager, on open paths), a co-design process at the co-design tables'
phase with its table's meeting and the places its agreement will add."""

from django.db.models import Count

from patto.cases.models import TeamMember
from patto.offer.models import CodesignProcess, Offer, WaitingEntry
from patto.offer.queries import Figures, with_figures


def the_offer_tells_its_story():
    offers = with_figures(Offer.objects.all())
    assert offers.count() >= 4
    assert all(offer.comuni.exists() and offer.band_list for offer in offers)
    waiting = WaitingEntry.objects.filter(ended_on__isnull=True)
    per_offer = dict(waiting.values_list("offer").annotate(n=Count("pk")).values_list("offer", "n"))
    assert len(per_offer) == 2 and sum(per_offer.values()) == 5
    for entry in waiting.select_related("path"):
        assert entry.path.is_open
        assert TeamMember.objects.filter(
            path=entry.path, user=entry.entered_by, team_role=TeamMember.TeamRole.CASE_MANAGER
        ).exists()
    by_pk = {offer.pk: offer for offer in offers}
    for offer_pk, n in per_offer.items():
        assert by_pk[offer_pk].waiting_count == n and Figures(by_pk[offer_pk]).waiting is None  # "<5"
    process = CodesignProcess.objects.get()
    assert process.phase == CodesignProcess.Phase.TABLES and process.concluded_on is None
    assert process.body is not None and process.body.meetings.exclude(minutes="").exists()
    assert process.participants.count() == 4 and process.capacities.count() == 2
    assert [c.phase for c in process.phase_changes.all()] == ["notice", "interest", "tables"]
    assert [(m.meeting.body_id, m.phase) for m in process.meeting_phases.select_related("meeting")] == [
        (process.body_id, "tables")
    ]
