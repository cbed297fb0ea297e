"""The monitoring report: a commitment nobody updated is "not reported" (its own state, in the page, the PDF, the
spreadsheet and the counts); the change since the previous period in plain words; the spreadsheet typed,
sized, filtered and frozen, with the indicators' values, whatever the period's name."""

import io
from datetime import date

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_date_format
from pypdf import PdfReader

from patto.governance import services

# Every character a sheet's name cannot hold, and more than 31 characters.
AWKWARD_NAME = 'Primo semestre 2027 / bis \\ ? * [ ] : "verifica"'


def _two_periods(pact, world, personas):
    """The school reports "done" in the fixture's period, then "on track" in the next one (named with every
    character a sheet's name refuses); the Comune reports in neither; its indicator is valued in the next."""
    coordinator, school_admin = personas["coordinator"].user, personas["other_admin"].user
    in_force = pact.version_in_force()
    school = in_force.commitments.get(institution=world.school)
    comune = in_force.commitments.get(institution=world.comune)
    first = pact.periods.get()
    services.update_commitment_status(
        actor=school_admin, commitment=school, period=first, status="done", evidence="Referente nominato."
    )
    services.close_period(actor=coordinator, period=first)
    second = services.open_period(
        actor=coordinator, pact=pact, name=AWKWARD_NAME, starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)
    )
    services.update_commitment_status(
        actor=school_admin,
        commitment=school,
        period=second,
        status="on_track",
        evidence='=HYPERLINK("http://x") nuovo referente da nominare',
    )
    services.record_indicator_value(
        actor=coordinator, indicator=comune.indicators.get(), period=second, value=3, evidence="Tre verbali approvati."
    )
    return second


def test_not_reported_is_a_state_and_the_change_is_in_plain_words(pact, world, personas, login):
    period = _two_periods(pact, world, personas)
    client = login("coordinator")
    page = client.get(reverse("governance:period_report", kwargs={"period_pk": period.pk}))
    assert ("Non rendicontato", 1) in page.context["counts"] and ("Non avviato", 0) in page.context["counts"]
    html = page.content.decode()
    assert "Nel periodo precedente: Completato; ora: In linea" in html
    assert "Come nel periodo precedente" in html  # the Comune: not reported then, not reported now
    assert "modificato" not in html and "→" not in html
    pdf = client.get(reverse("governance:period_report_pdf", kwargs={"period_pk": period.pk}))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Non rendicontato" in text and "Nel periodo precedente: Completato; ora: In linea" in text
    assert "Riunioni del GT con verbale: 3" in text  # the indicators' values are in the PDF too


def test_the_spreadsheet_is_typed_sized_filtered_and_frozen(pact, world, personas, login):
    period = _two_periods(pact, world, personas)
    response = login("coordinator").get(reverse("governance:period_report_xlsx", kwargs={"period_pk": period.pk}))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    commitments, indicators = workbook.worksheets
    assert commitments.title == "Primo semestre 2027 - bis - - -"[:31] and len(commitments.title) <= 31
    assert indicators.title == "Indicatori"
    for sheet in workbook.worksheets:
        assert (
            sheet.freeze_panes == "A2"
            and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        )
        assert all(cell.font.b for cell in sheet[1])
        assert all(sheet.column_dimensions[cell.column_letter].width >= 8 for cell in sheet[1])
    rows = {row[0].value: row for row in commitments.iter_rows(min_row=2)}
    school, comune = rows["IC Rimini Marina"], rows["Comune di Rimini"]
    assert [c.value for c in school[2:4]] == ["In linea", "Completato"]
    assert school[4].value.startswith("'=HYPERLINK")  # never run as a formula
    assert school[7].is_date and is_date_format(school[7].number_format)
    assert school[7].value.date() == timezone.localdate()
    assert [c.value for c in comune[2:4]] == ["Non rendicontato", "Non rendicontato"] and comune[7].value is None
    header, value_row = [c.value for c in indicators[1]], [c for c in indicators[2]]
    assert header[:6] == ["Parte", "Impegno", "Indicatore", "Valore", "Obiettivo", "Unità di misura"]
    assert value_row[2].value == "Riunioni del GT con verbale"
    assert value_row[3].data_type == "n" and value_row[3].value == 3
    assert value_row[4].data_type == "n" and value_row[4].value == 4


def test_commitments_with_status_read_as_the_orm_reads_them(pact, world, personas, django_assert_num_queries):
    """The frozen statements of ``commitments_with_status`` against the ORM's own prefetch (the oracle): the same
    commitments in the same order, each with the same indicators and the same updates of the period newest first,
    in each period and with none; what the pages then read of them costs no query."""
    from django.db.models import Prefetch

    from patto.core.frozen import forget_all
    from patto.governance.models import Commitment, CommitmentUpdate
    from patto.governance.queries import commitments_with_status, troubled_commitments

    second = _two_periods(pact, world, personas)
    in_force = pact.version_in_force()
    school = in_force.commitments.get(institution=world.school)
    services.update_commitment_status(  # a second update in the same period: the newest comes first
        actor=personas["other_admin"].user, commitment=school, period=second, status="at_risk", evidence="In ritardo."
    )
    forget_all()
    for period in [pact.periods.get(pk=pk) for pk in pact.periods.values_list("pk", flat=True)] + [None]:
        updates = CommitmentUpdate.objects.filter(period=period).select_related(
            "author", "author_institution", "evidence_file"
        )
        expected = list(
            Commitment.objects.filter(pact_version=in_force)
            .select_related("institution")
            .prefetch_related(Prefetch("updates", queryset=updates, to_attr="period_updates"), "indicators")
        )
        with django_assert_num_queries(3 if period else 2):
            answered = commitments_with_status(in_force, period)
        with django_assert_num_queries(0):
            seen = [
                (
                    c.pk,
                    c.institution.name,
                    [i.pk for i in c.indicators.all()],
                    [
                        (u.pk, u.status, u.author.username, u.author_institution.name, u.commitment.pk)
                        for u in c.period_updates
                    ],
                    c.latest.pk if c.latest else None,
                )
                for c in answered
            ]
        assert seen == [
            (
                c.pk,
                c.institution.name,
                [i.pk for i in c.indicators.all()],
                [(u.pk, u.status, u.author.username, u.author_institution.name, c.pk) for u in c.period_updates],
                c.period_updates[0].pk if c.period_updates else None,
            )
            for c in expected
        ]
        if period is not None and period.pk == second.pk:  # the school's two updates, newest first
            assert [u.status for u in next(c for c in answered if c.pk == school.pk).period_updates] == [
                "at_risk",
                "on_track",
            ]
    # The dashboard's reading: the commitments whose latest update is at risk or late, and those alone.
    for period in pact.periods.all():
        oracle = [
            (c.pk, c.institution.name, [u.pk for u in c.period_updates], c.latest.pk)
            for c in commitments_with_status(in_force, period)
            if c.latest and c.latest.status in ("at_risk", "late")
        ]
        with django_assert_num_queries(2 if oracle else 1):
            troubled = troubled_commitments(in_force, period)
        with django_assert_num_queries(0):
            seen = [
                (c.pk, c.institution.name, [u.pk for u in c.period_updates], c.latest.pk, c.latest.commitment.pk)
                for c in troubled
            ]
        assert seen == [(*row, row[0]) for row in oracle]
        assert oracle or period.pk != second.pk  # the school's newest update in the second period is at risk
