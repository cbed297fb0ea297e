"""Issue 12, section 1: the demo's funds and partnerships tell their story, read as a reader would check it."""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from patto.funding.models import Call, Expenditure, Project, Proposal
from patto.funding.queries import signed_by_all
from patto.funding.reports import build_report, milestone_values


def the_funding_tells_its_story():
    project = Project.objects.get(measure="PNRR M5C2 1.1.1")
    assert len(project.cup) == 15 and project.total == Decimal("211500.00")
    lines = project.budget_lines.all()
    assert sum(line.amount for line in lines) == project.total
    partners = project.proposal.partners.all()
    assert partners.count() >= 3 and all(p.confirmed_at for p in partners)
    years = {d.year for d in Expenditure.objects.filter(project=project).values_list("spent_on", flat=True)}
    assert len(years) == 2, years
    over = Expenditure.objects.get(project=project, override_reason__gt="")
    line_total = Expenditure.objects.filter(budget_line=over.budget_line).aggregate(total=Sum("amount"))["total"]
    assert line_total > over.budget_line.amount  # the one recorded over its line, with its reason
    report = build_report(project, project.starts_on, timezone.localdate())
    assert report.total_in_period == Expenditure.objects.filter(project=project).aggregate(t=Sum("amount"))["t"]
    assert any(m.live for m in milestone_values(project))
    # A regional call still open, its proposal in progress: proposed, not yet signed by all.
    regional = Call.objects.get(funder="region")
    assert regional.deadline > timezone.localdate()
    proposal = Proposal.objects.get(call=regional)
    assert proposal.status == "proposed" and not signed_by_all(Proposal.objects.filter(pk=proposal.pk)).exists()
    assert proposal.partners.filter(confirmed_at__isnull=False).count() == 2
