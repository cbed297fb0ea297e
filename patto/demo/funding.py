"""The demo district's funds and partnerships (issue 12, section 1): the PNRR M5C2 1.1.1 project of the
district (Avviso 1/2022) with its CUP, budget, partners, two years of expenditure and its targets, and a
regional call with a partnership proposal in progress (two partners confirmed, one to confirm).

Everything goes through the funding services, acting as the people who would do it (the coordinator, the lead's
administrator, each partner's referent), so the demo obeys the real rules; the services date confirmations
now, and the demo then gives them the dates the story tells. The CUP, CIGs and suppliers are fictional."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from patto.accounts.models import Institution, User
from patto.cases.models import Cohort
from patto.funding import services
from patto.funding.models import BudgetLine, Call, Funder, Milestone, Partner
from patto.funding.money import format_euro

from .pact import _document, commitment_indicators

RIMINI = "Comune di Rimini"
MARINA = "Istituto comprensivo Rimini Marina (demo)"
BORGO = "Istituto comprensivo Rimini Borgo (demo)"
COOP = "Cooperativa sociale Orizzonti (demo)"
CUP = "C91H22000090006"  # fictional, in the CUP's format

# category, description, budget
LINES = [
    ("staff", "Coach e referenti di implementazione", Decimal("60000.00")),
    ("services", "Educativa domiciliare e gruppi con i genitori", Decimal("110000.00")),
    ("training", "Formazione degli operatori e delle scuole", Decimal("15000.00")),
    ("goods", "Materiali e strumenti per le famiglie", Decimal("10000.00")),
    ("other", "Spese generali e rendicontazione", Decimal("16500.00")),
]
# date, line index, partner, supplier, CIG, amount, description
EXPENDITURES = [
    (date(2025, 2, 28), 0, RIMINI, "Comune di Rimini (personale interno)", "", "7420.50", "Coach, gennaio-febbraio"),
    (date(2025, 3, 31), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, primo trimestre"),
    (date(2025, 5, 15), 2, MARINA, "Formazione Adriatica srl (demo)", "Z3F1A2B3C4", "4200.00", "Corso per insegnanti"),
    (date(2025, 6, 30), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, secondo trimestre"),
    (date(2025, 6, 30), 0, RIMINI, "Comune di Rimini (personale interno)", "", "11130.75", "Coach, marzo-giugno"),
    (date(2025, 9, 30), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, terzo trimestre"),
    (
        date(2025, 10, 20),
        3,
        BORGO,
        "Cartoleria del Borgo snc (demo)",
        "Z7E6D5C4B3",
        "1860.40",
        "Materiali per i gruppi",
    ),
    (date(2025, 12, 31), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, quarto trimestre"),
    (date(2025, 12, 31), 4, RIMINI, "Studio Rendiconta (demo)", "Z2B4C6D8E0", "3050.00", "Rendicontazione 2025"),
    (date(2026, 3, 31), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, primo trimestre"),
    (
        date(2026, 4, 30),
        2,
        BORGO,
        "Formazione Adriatica srl (demo)",
        "Z3F1A2B3C4",
        "5300.00",
        "Laboratori con le classi",
    ),
    (date(2026, 6, 30), 0, RIMINI, "Comune di Rimini (personale interno)", "", "14840.00", "Coach, primo semestre"),
    (date(2026, 6, 30), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, secondo trimestre"),
    (date(2026, 9, 30), 1, RIMINI, COOP, "9A1B2C3D4E", "13750.00", "Educativa domiciliare, terzo trimestre"),
]
# Over the training line (€ 15.000,00): recorded with the reason, as the Ministry allowed it.
OVER_BUDGET = (
    date(2026, 10, 15),
    2,
    MARINA,
    "Formazione Adriatica srl (demo)",
    "Z3F1A2B3C4",
    "6450.00",
    "Supervisione dei coach",
    "Rimodulazione tra voci autorizzata dal Ministero (nota fittizia n. 123 del 2 ottobre 2026).",
)


def _user(username):
    user = User.objects.get(username=username)
    user.act_as(None)
    return user


def _dated(partners, day):
    Partner.objects.filter(pk__in=[p.pk for p in partners]).update(
        confirmed_at=timezone.make_aware(datetime.combine(day, time(11, 0)))
    )


def build_funding(district):
    if Call.objects.filter(district=district).exists():
        return
    people = {
        "coordinator": _user("demo.coordinatore"),
        RIMINI: _user("demo.admin.comune"),
        MARINA: _user("demo.dirigente"),
        BORGO: _user("demo.referente2"),
    }
    institutions = {i.name: i for i in Institution.objects.filter(district=district)}
    _pnrr_project(district, people, institutions)
    _regional_call(district, people, institutions)
    _indicators(district, people["coordinator"])


def _proposal(call, people, institutions, title, shares):
    coordinator = people["coordinator"]
    proposal = services.create_proposal(
        actor=coordinator, call=call, lead=institutions[RIMINI], title=title, lead_role="Capofila (Ambito)"
    )
    role, amount, cofinancing = shares[RIMINI]
    services.set_partner_share(
        actor=coordinator, partner=proposal.partners.get(), role=role, amount=amount, cofinancing=cofinancing
    )
    for name, (role, amount, cofinancing) in shares.items():
        if name != RIMINI:
            services.add_partner(
                actor=coordinator,
                proposal=proposal,
                institution=institutions[name],
                role=role,
                amount=amount,
                cofinancing=cofinancing,
            )
    proposal.refresh_from_db()
    # The letter of intent the partners read and confirm, one share per partner as in the proposal.
    services.attach_agreement(
        actor=coordinator,
        proposal=proposal,
        upload=_document(
            "lettera-di-intenti.pdf",
            f"Lettera di intenti — {title}",
            [f"Avviso: {call.title} ({call.reference})."]
            + [
                f"{name}: {role}; quota {format_euro(amount)}, cofinanziamento {format_euro(cof)}."
                for name, (role, amount, cof) in shares.items()
            ],
        ),
        version=proposal.version,
    )
    proposal.refresh_from_db()
    services.move_proposal(actor=coordinator, proposal=proposal, version=proposal.version, status="proposed")
    return proposal


def _confirm(proposal, people, names, day):
    confirmed = []
    for name in names:
        partner = proposal.partners.get(institution__name=name)
        services.confirm_participation(actor=people[name], partner=partner, agreement=proposal.agreement_id)
        confirmed.append(partner)
    _dated(confirmed, day)


def _pnrr_project(district, people, institutions):
    coordinator, lead = people["coordinator"], people[RIMINI]
    call = services.create_call(
        actor=coordinator,
        district=district,
        funder=Funder.PNRR,
        title="PNRR M5C2 1.1.1 — Sostegno alle capacità genitoriali e prevenzione della vulnerabilità",
        reference="Avviso pubblico 1/2022",
        deadline=date(2022, 3, 31),
        amount=Decimal("211500.00"),
        eligible_partners="Ambiti territoriali sociali, singoli o associati; con le scuole e i servizi del territorio.",
    )
    proposal = _proposal(
        call,
        people,
        institutions,
        "PIPPI nel Distretto di Rimini: tre implementazioni",
        {
            RIMINI: ("Capofila (Ambito)", Decimal("196500.00"), Decimal("0.00")),
            MARINA: ("Scuola partner: dispositivo partenariato scuola-famiglia", Decimal("7500.00"), Decimal("500.00")),
            BORGO: ("Scuola partner: gruppi con le classi", Decimal("7500.00"), Decimal("500.00")),
        },
    )
    _confirm(proposal, people, (RIMINI, MARINA, BORGO), date(2022, 3, 25))
    for status in ("submitted", "funded"):
        proposal.refresh_from_db()
        services.move_proposal(actor=lead, proposal=proposal, version=proposal.version, status=status)
    project = services.create_project(
        actor=coordinator,
        proposal=proposal,
        cup=CUP,
        title="PIPPI nel Distretto di Rimini (PNRR M5C2 1.1.1)",
        funding_source=Funder.PNRR,
        measure="PNRR M5C2 1.1.1",
        total=Decimal("211500.00"),
        starts_on=date(2023, 1, 1),
        ends_on=date(2026, 12, 31),
        cohorts=Cohort.objects.filter(district=district),
    )
    lines = [
        services.add_budget_line(actor=lead, project=project, category=c, description=d, amount=a) for c, d, a in LINES
    ]
    partners = {p.institution.name: p for p in project.proposal.partners.select_related("institution")}
    for spent_on, line, partner, supplier, cig, amount, description in EXPENDITURES:
        services.record_expenditure(
            actor=lead,
            project=project,
            budget_line=lines[line],
            partner=partners[partner],
            spent_on=spent_on,
            amount=Decimal(amount),
            supplier=supplier,
            cig=cig,
            description=description,
        )
    spent_on, line, partner, supplier, cig, amount, description, reason = OVER_BUDGET
    services.record_expenditure(
        actor=lead,
        project=project,
        budget_line=lines[line],
        partner=partners[partner],
        spent_on=spent_on,
        amount=Decimal(amount),
        supplier=supplier,
        cig=cig,
        description=description,
        override_reason=reason,
    )
    for title, due_on, target, source, reached in (
        ("Prima implementazione avviata (PIPPI 11)", date(2023, 3, 31), 1, Milestone.Source.MANUAL, 1),
        ("Coach formati (2 per implementazione)", date(2024, 6, 30), 6, Milestone.Source.MANUAL, 6),
        (
            "10 famiglie per implementazione × 3: famiglie in un percorso PIPPI",
            date(2026, 12, 31),
            30,
            Milestone.Source.FAMILIES_IN_PATH,
            None,
        ),
        ("Rendicontazione finale su ReGiS", date(2027, 3, 31), None, Milestone.Source.MANUAL, None),
    ):
        services.add_milestone(
            actor=lead, project=project, title=title, due_on=due_on, target=target, source=source, reached=reached
        )
    assert BudgetLine.objects.filter(project=project).count() == len(LINES)


def _regional_call(district, people, institutions):
    coordinator = people["coordinator"]
    call = services.create_call(
        actor=coordinator,
        district=district,
        funder=Funder.REGION,
        title="Sostegno alla genitorialità e reti territoriali per le famiglie 2027",
        reference="Regione Emilia-Romagna, avviso fittizio n. 7/2026",
        deadline=timezone.localdate() + timedelta(days=58),
        amount=Decimal("120000.00"),
        eligible_partners="Comuni e Unioni capofila di Ambito; scuole; enti del terzo settore in partenariato.",
    )
    proposal = _proposal(
        call,
        people,
        institutions,
        "Rete territoriale per le famiglie: scuole e servizi insieme",
        {
            RIMINI: ("Capofila (Ambito)", Decimal("48000.00"), Decimal("6000.00")),
            MARINA: ("Sportello di ascolto per i genitori", Decimal("9000.00"), Decimal("1200.00")),
            BORGO: ("Gruppi con i genitori nelle classi prime", Decimal("9000.00"), Decimal("1200.00")),
        },
    )
    # In progress: the lead and one school confirmed; the other school's referent (demo.referente2) has yet to.
    _confirm(proposal, people, (RIMINI, MARINA), timezone.localdate() - timedelta(days=6))


def _indicators(district, coordinator):
    """The indicators of the Comune's commitment to propose partnerships for public funds (commitment 7)."""
    commitment_indicators(
        district,
        coordinator,
        "Proporre accordi di partnership",
        (
            ("Partenariati sottoscritti da tutti i partner", "proposte", 1, "partnerships_signed"),
            ("Progetti finanziati in corso", "progetti", 1, "projects_funded"),
            ("Spesa rendicontata sui progetti finanziati", "euro", 50000, "project_spending"),
        ),
    )
