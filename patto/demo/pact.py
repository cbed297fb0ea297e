"""The demo pact of the district of Rimini: the Comune's eight commitments from the press release of
February 2024 (shared/seed), plausible ones for the other parties, adhesions and monitoring periods."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from patto.accounts.models import Institution, User
from patto.governance import services
from patto.governance.models import Commitment, CommitmentUpdate, Pact

COMUNE_COMMITMENTS = [  # from the press release (shared/seed/patto-rimini-2024-02.txt)
    "Presidiare il sistema di governance integrata del Patto.",
    "Collaborare con i partner per garantire un monitoraggio costante e un aggiornamento del Patto.",
    "Condurre un'analisi dei bisogni del territorio.",
    "Favorire la condivisione tra gli attori coinvolti.",
    "Creare le condizioni organizzative per l'operatività del Patto.",
    "Cooperare nelle attività di progettazione dei servizi.",
    "Proporre accordi di partnership per l'accesso a fondi pubblici.",
    "Rendersi disponibile per un supporto giuridico-amministrativo alle scuole.",
]
OTHER_COMMITMENTS = {
    Institution.Kind.AUSL: [
        "Garantire la partecipazione di psicologi e neuropsichiatri infantili alle équipe multidisciplinari.",
        "Condividere con i servizi sociali, nei limiti di legge, le informazioni necessarie al progetto.",
    ],
    Institution.Kind.SCHOOL: [
        "Nominare un referente scolastico PIPPI per l'istituto.",
        "Partecipare alle équipe multidisciplinari e al partenariato scuola–famiglia–servizi.",
    ],
    Institution.Kind.EDUCATIONAL_SERVICE: [
        "Segnalare precocemente ai servizi le situazioni di fatica delle famiglie.",
        "Accogliere i bambini dei percorsi PIPPI con attenzione alla continuità educativa.",
    ],
    Institution.Kind.THIRD_SECTOR: ["Garantire l'educativa domiciliare con personale formato al metodo PIPPI."],
}
SECTIONS = {
    "premesse": "Visti la L. 328/2000, la L. 149/2001, le Linee di indirizzo nazionali sull'intervento con bambini e "
    "famiglie in situazione di vulnerabilità (2017) e l'investimento PNRR M5C2 1.1.1, le parti "
    "riconoscono il valore della collaborazione interistituzionale per i bambini e le famiglie.",
    "oggetto": "Il Patto definisce buone pratiche e procedure stabili di collaborazione per lavorare in modo "
    "integrato a favore dei minori e delle famiglie in difficoltà e a rischio di emarginazione sociale.",
    "impegni": "Ciascuna parte assume gli impegni elencati di seguito.",
    "governance": "Il Gruppo Territoriale, coordinato dal Referente territoriale del Comune di Rimini, si riunisce "
    "almeno ogni tre mesi e verifica l'attuazione del Patto.",
    "durata": "Il Patto ha durata triennale e può essere aggiornato con l'approvazione del Gruppo Territoriale.",
    "dati": "Le parti trattano i dati personali per compiti di interesse pubblico (art. 6.1.e e 9.2.g GDPR; "
    "art. 2-sexies Codice privacy), nel rispetto del principio di stretta necessità.",
    "norme-finali": "Il Patto è sottoscritto con firma digitale ai sensi dell'art. 15 della L. 241/1990.",
}


def build_pact(district):
    if Pact.objects.filter(district=district).exists():
        return
    coordinator = User.objects.get(username="demo.coordinatore")
    coordinator.act_as(None)
    pact = Pact.objects.create(
        district=district,
        title="Patto territoriale interistituzionale PIPPI — Distretto di Rimini",
        legal_references="Delibera di Giunta comunale, febbraio 2024; PNRR M5C2 1.1.1.",
        purpose=SECTIONS["oggetto"],
        valid_from=date(2024, 3, 1),
        valid_to=date(2027, 2, 28),
    )
    draft = services.draft_version(actor=coordinator, pact=pact, summary="Testo approvato dalla Giunta")
    for section in draft.sections.all():
        services.update_section(actor=coordinator, section=section, version=section.version, text=SECTIONS[section.key])
    # Who signs is the demo's choice, recorded as adhesions (the one source of truth): every active institution
    # of the district, the Ufficio di piano (the Ambito, which runs the programme) included.
    institutions = list(Institution.objects.filter(district=district, is_active=True))
    comune = next(i for i in institutions if i.name == "Comune di Rimini")
    for order, text in enumerate(COMUNE_COMMITMENTS):
        services.save_commitment(actor=coordinator, pact_version=draft, institution=comune, text=text, order=order)
    for institution in institutions:
        for order, text in enumerate(OTHER_COMMITMENTS.get(institution.kind, [])):
            services.save_commitment(
                actor=coordinator, pact_version=draft, institution=institution, text=text, order=order
            )
    draft.refresh_from_db()
    services.approve_version(
        actor=coordinator,
        pact_version=draft,
        version=draft.version,
        approved_on=date(2024, 2, 13),
        approval_reference="Delibera di Giunta n. 27 del 13 febbraio 2024",
        effective_from=date(2024, 3, 1),
    )
    for index, institution in enumerate(institutions):
        signed_on = (
            date(2024, 3, 1) if institution.kind != "school" or "Rimini" in institution.name else date(2025, 9, 1)
        )
        # Most signed adhesions are on file; the last ones are still to be attached (as in real life).
        document = (
            _document(
                f"adesione-{index + 1}.pdf",
                "Atto di adesione al Patto territoriale PIPPI",
                [
                    f"{institution.name} aderisce al Patto territoriale interistituzionale PIPPI del Distretto di Rimini "
                    "e ne sottoscrive gli impegni.",
                    f"Sottoscritto con firma digitale il {_in_italian(signed_on)}.",
                ],
            )
            if index < len(institutions) - 2
            else None
        )
        services.record_adhesion(
            actor=coordinator,
            pact=pact,
            institution=institution,
            signer_name="Legale rappresentante (demo)",
            signer_role="Dirigente" if institution.kind == "school" else "Responsabile",
            signed_on=signed_on,
            method="digital",
            document_reference=f"Prot. demo {index + 1}",
            signed_document=document,
        )
    _indicators(draft, coordinator, comune)
    _monitoring(pact, draft, coordinator)
    _bodies(pact, coordinator, institutions)
    _procedures(pact, coordinator, comune, institutions)
    services.set_publication(actor=coordinator, pact=pact, is_public=True)


def _in_italian(day):
    """A date as Italian prose writes it in the demo's Italian texts ("1 marzo 2024"), whatever the language."""
    with translation.override("it"):
        return date_format(day, "DATE_FORMAT")


def _document(name, title, paragraphs):
    """A small PDF standing for a document of the demo (fictional, and says so), made like every PDF of
    Patto (tagged, PDF/A): the demo's documents are what the Comune would file."""
    from patto.core.exports import render_pdf

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        f"<!doctype html><html lang='it'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><main class='plan'><h1>{escape(title)}</h1>{body}<p><em>Documento dimostrativo, "
        "dati fittizi.</em></p></main></body></html>"
    )
    return SimpleUploadedFile(name, render_pdf(html), content_type="application/pdf")


def _indicators(version, coordinator, comune):
    for commitment in version.commitments.select_related("institution"):
        if commitment.institution.kind == "school" and commitment.order == 0:
            services.add_indicator(
                actor=coordinator,
                commitment=commitment,
                name="Scuole con un referente PIPPI",
                unit="scuole",
                target=7,
                source="school_referents",
            )
        elif commitment.institution == comune and commitment.order == 0:
            services.add_indicator(
                actor=coordinator,
                commitment=commitment,
                name="Riunioni del Gruppo Territoriale",
                unit="riunioni",
                target=2,
                source="meetings_held",
            )
        elif commitment.institution == comune and commitment.order == 4:
            services.add_indicator(
                actor=coordinator,
                commitment=commitment,
                name="Famiglie in un percorso PIPPI",
                unit="famiglie",
                target=30,
                source="families_in_path",
            )
        elif commitment.institution == comune and commitment.order == 2:
            services.add_indicator(
                actor=coordinator,
                commitment=commitment,
                name="Report di analisi dei bisogni",
                unit="report",
                target=1,
                source="manual",
            )


def _monitoring(pact, version, coordinator):
    first = services.open_period(
        actor=coordinator, pact=pact, name="Primo semestre 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    commitments = list(version.commitments.select_related("institution"))
    statuses = [
        CommitmentUpdate.Status.ON_TRACK,
        CommitmentUpdate.Status.DONE,
        CommitmentUpdate.Status.AT_RISK,
        CommitmentUpdate.Status.ON_TRACK,
        CommitmentUpdate.Status.LATE,
    ]
    for index, commitment in enumerate(commitments[:12]):
        evidence = (
            _document(
                f"verbale-gt-{index + 1}.pdf",
                "Verbale del Gruppo Territoriale",
                [f"Impegno: {commitment.text}", "Il Gruppo Territoriale ha esaminato lo stato di avanzamento."],
            )
            if index < 3
            else None
        )
        services.update_commitment_status(
            actor=coordinator,
            commitment=commitment,
            period=first,
            status=statuses[index % len(statuses)],
            evidence="Verbale del Gruppo Territoriale e documentazione agli atti.",
            evidence_file=evidence,
        )
    services.close_period(actor=coordinator, period=first)
    second = services.open_period(
        actor=coordinator,
        pact=pact,
        name="Secondo semestre 2026",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
    )
    for commitment in commitments[:4]:
        services.update_commitment_status(
            actor=coordinator,
            commitment=commitment,
            period=second,
            status=CommitmentUpdate.Status.ON_TRACK,
            evidence=f"Aggiornamento del {_in_italian(timezone.localdate())}.",
        )


def _bodies(pact, coordinator, institutions):
    from datetime import datetime, timedelta

    from patto.accounts.models import Membership
    from patto.accounts.roles import GOVERNANCE_ROLES

    gt = services.create_body(
        actor=coordinator,
        pact=pact,
        kind="gt",
        name="Gruppo Territoriale PIPPI",
        description="La cabina di regia del Patto: un referente per ogni ente firmatario.",
    )
    services.create_body(actor=coordinator, pact=pact, kind="coaches", name="Coach PIPPI del distretto")
    members = {}
    for membership in (
        Membership.objects.current()
        .filter(institution__in=institutions, role__in=GOVERNANCE_ROLES)
        .select_related("user", "institution")
    ):
        if membership.user_id not in members:
            members[membership.user_id] = services.add_body_member(
                actor=coordinator,
                body=gt,
                user=membership.user,
                institution=membership.institution,
                role_in_body="Coordinatrice" if membership.user == coordinator else "Referente",
                valid_from=date(2024, 3, 1),
            )
    previous = None
    for number, day in enumerate([date(2026, 3, 12), date(2026, 6, 11), date(2026, 9, 17)]):
        meeting = services.schedule_body_meeting(
            actor=coordinator,
            body=gt,
            starts_at=timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=15)),
            duration_minutes=120,
            place="Residenza comunale, sala del Giunta",
            agenda="1. Approvazione del verbale\n2. Stato degli impegni\n3. Varie ed eventuali",
        )
        attendance = {
            member.pk: ("present" if (member.pk + number) % 4 else "apologies") for member in members.values()
        }
        services.record_body_minutes(
            actor=coordinator,
            meeting=meeting,
            version=meeting.version,
            minutes="Il Gruppo Territoriale esamina lo stato degli impegni e le segnalazioni delle scuole.",
            decisions="Si conferma il calendario del monitoraggio.",
            attendance=attendance,
            action_items=[
                {
                    "description": "Aggiornare l'elenco dei referenti scolastici",
                    "owner": coordinator,
                    "institution": coordinator.current_memberships[0].institution,
                    "due_on": day + timedelta(days=45),
                }
            ],
        )
        if previous is not None:
            services.approve_minutes(actor=coordinator, meeting=previous, in_meeting=meeting)
            for item in previous.action_items.all():  # done by the next meeting, as a real district would have it
                services.set_action_item_status(actor=coordinator, item=item, status="done")
        previous = meeting


PROCEDURES = [  # title, owner, response time in working days, the requests it governs, text
    (
        "Come la scuola segnala una preoccupazione al servizio sociale",
        "comune",
        5,
        "signal",
        "1. Il docente ne parla con il referente scolastico PIPPI e con il dirigente.\n"
        "2. Il referente invia la segnalazione in Patto al servizio sociale del Comune di residenza del bambino "
        "(in caso di pericolo immediato si chiama il 112 e si informa la Procura, non si usa Patto).\n"
        "3. Il servizio sociale risponde entro 5 giorni lavorativi e concorda un primo incontro con la scuola.",
    ),
    (
        "Come si attiva l'educativa domiciliare",
        "comune",
        10,
        "professional",
        "1. L'équipe multidisciplinare propone il dispositivo nella micro-progettazione.\n"
        "2. Il case manager invia la richiesta alla cooperativa con gli obiettivi e le ore settimanali.\n"
        "3. La cooperativa indica l'educatore entro 10 giorni lavorativi.",
    ),
    (
        "Come la scuola entra nell'équipe multidisciplinare",
        "school",
        None,
        "",
        "1. Con l'adesione della famiglia, il case manager invita il referente scolastico PIPPI.\n"
        "2. Il docente partecipa agli incontri di équipe e vede in Patto solo ciò che riguarda la scuola.",
    ),
    (
        "Consultazione anonima del servizio sociale",
        "comune",
        5,
        "consultation",
        "1. La scuola, il nido o il pediatra descrivono la situazione senza nominare il bambino: fascia d'età, "
        "che cosa hanno osservato e da quando, che cosa hanno già provato, se hanno parlato con la famiglia.\n"
        "2. Il servizio sociale risponde entro 5 giorni lavorativi con un consiglio, la proposta di un incontro "
        "congiunto o l'indicazione di inviare una segnalazione.",
    ),
    (
        "Trasferimento di un percorso tra i Comuni del distretto",
        "comune",
        10,
        "transfer",
        "1. Quando la famiglia cambia residenza, il case manager chiede in Patto il trasferimento del percorso al "
        "servizio sociale del nuovo Comune.\n"
        "2. Il responsabile del servizio indica entro 10 giorni lavorativi l'assistente sociale che diventa case "
        "manager; la storia del percorso resta consultabile dall'équipe.\n"
        "3. I due servizi concordano un incontro di passaggio di consegne con la famiglia.",
    ),
]


def _procedures(pact, coordinator, comune, institutions):
    school = next(i for i in institutions if i.kind == Institution.Kind.SCHOOL)
    for index, (title, owner, days, kind, text) in enumerate(PROCEDURES):
        services.create_procedure(
            actor=coordinator,
            pact=pact,
            title=title,
            owner=comune if owner == "comune" else school,
            text=text,
            response_working_days=days,
            request_kind=kind,
            approved_on=date(2024, 4, 15),
            review_on=date(2025, 4, 15) if index == 2 else date(2027, 4, 15),
        )


def ensure_request_procedures(district):
    """A demo seeded before the requests existed: the procedures that govern requests, added or told which
    requests they govern (through the services, as the coordinator would). Nothing to do on a new demo."""
    from patto.governance.models import Procedure

    pact = Pact.objects.get(district=district)
    coordinator = User.objects.get(username="demo.coordinatore")
    coordinator.act_as(None)
    comune = Institution.objects.get(district=district, name="Comune di Rimini")
    for title, _owner, days, kind, text in PROCEDURES:
        if not kind or Procedure.objects.filter(pact=pact, request_kind=kind).exists():
            continue
        existing = Procedure.objects.filter(pact=pact, title=title).first()
        if existing is not None:
            services.revise_procedure(
                actor=coordinator, procedure=existing, version=existing.version, request_kind=kind, text=text
            )
        else:
            services.create_procedure(
                actor=coordinator,
                pact=pact,
                title=title,
                owner=comune,
                text=text,
                response_working_days=days,
                request_kind=kind,
                approved_on=date(2024, 4, 15),
                review_on=date(2027, 4, 15),
            )


def commitment_indicators(district, coordinator, text_start, specs):
    """The computed indicators ``specs`` — (name, unit, target, source) — of the Comune di Rimini's commitment
    whose text starts with ``text_start`` in the pact in force (none if it has some already: idempotent)."""
    pact = Pact.objects.filter(district=district).first()
    version = pact.version_in_force() if pact else None
    if version is None:
        return
    commitment = Commitment.objects.filter(
        pact_version=version, institution__name="Comune di Rimini", text__startswith=text_start
    ).first()
    if commitment is None or commitment.indicators.exists():
        return
    for name, unit, target, source in specs:
        services.add_indicator(
            actor=coordinator, commitment=commitment, name=name, unit=unit, target=target, source=source
        )
