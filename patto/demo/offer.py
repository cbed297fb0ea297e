"""The demo district's offer of dispositivi (issue 12, section 2): who provides which dispositivo, in which comuni,
for which ages and with how many places; two dispositivi with families waiting (entered by the case managers from
the families' paths); a co-design process with the third sector at the co-design tables' phase, its table a
governance body of the pact with a meeting held (shown under the tables' phase). Everything through the app's services; fictional; idempotent."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from patto.accounts.models import Institution, User
from patto.cases.models import DeviceActivation, DeviceType, Path, TeamMember
from patto.governance import services as governance
from patto.governance.models import Pact
from patto.offer import services
from patto.offer.models import CodesignProcess, Offer
from patto.territory.models import Comune

from .pact import commitment_indicators

RIMINI = "Comune di Rimini"
COOP = "Cooperativa sociale Orizzonti (demo)"
FAMILY_CENTRE = "Centro per le famiglie del Distretto di Rimini"
AUSL = "Azienda USL della Romagna — Distretto di Rimini"
ALL_BANDS = ("0-2", "3-5", "6-10", "11-13", "14-17")

# (dispositivo code, provider, comuni (None: all), age bands, places, hours per week in all)
OFFER = [
    ("educativa-domiciliare", COOP, None, ALL_BANDS, 6, Decimal("30.0")),
    ("gruppi", FAMILY_CENTRE, None, ("0-2", "3-5", "6-10", "11-13"), 24, None),
    ("partenariato-scuola", RIMINI, ("Rimini", "Bellaria-Igea Marina"), ("3-5", "6-10", "11-13", "14-17"), 30, None),
    ("vicinanza-solidale", RIMINI, None, ALL_BANDS, 5, None),
]
# Families waiting: (dispositivo code, provider, how many, days waited by the first, what they need)
WAITING = [
    ("educativa-domiciliare", COOP, 3, 64, "Educativa domiciliare, 4 ore a settimana, pomeriggi"),
    ("vicinanza-solidale", RIMINI, 2, 38, "Una famiglia d'appoggio per i pomeriggi e il sabato"),
]


def build_offer(district):
    coordinator = User.objects.get(username="demo.coordinatore")
    _indicators(district, coordinator)
    if Offer.objects.filter(district=district).exists():
        return
    institutions = {i.name: i for i in Institution.objects.filter(district=district)}
    comuni = list(Comune.objects.filter(district=district, is_active=True))
    offers = {}
    for code, provider, where, bands, places, hours in OFFER:
        chosen = comuni if where is None else [c for c in comuni if c.name in where]
        offers[code] = services.add_offer(
            actor=coordinator,
            district=district,
            device_type=DeviceType.objects.get(code=code),
            provider=institutions[provider],
            comuni=chosen,
            age_bands=bands,
            places=places,
            hours_per_week=hours,
            notes="Offerta di esempio del distretto demo.",
        )
    _waiting(district, offers)
    _codesign(district, coordinator, institutions, offers)


def _waiting(district, offers):
    today = timezone.localdate()
    managers = TeamMember.objects.filter(team_role=TeamMember.TeamRole.CASE_MANAGER, ended_at__isnull=True)
    paths = list(
        Path.objects.filter(family__district=district, closed_on__isnull=True)
        .exclude(state=Path.State.SIGNAL)
        .select_related("family")
        .order_by("family__reference")
    )
    used = set()
    for code, _provider, count, first_days, need in WAITING:
        offer = offers[code]
        active = set(
            DeviceActivation.objects.filter(device_type=offer.device_type, provider=offer.provider).values_list(
                "path_id", flat=True
            )
        )
        index = 0
        for path in paths:
            if index == count:
                break
            if path.pk in active or path.pk in used:
                continue
            manager = managers.filter(path=path).select_related("user").first()
            if manager is None:
                continue
            used.add(path.pk)
            services.put_on_waiting_list(
                actor=manager.user,
                path=path,
                offer=offer,
                need=need,
                since=today - timedelta(days=first_days - 17 * index),
            )
            index += 1


def _codesign(district, coordinator, institutions, offers):
    if CodesignProcess.objects.filter(district=district).exists():
        return
    today = timezone.localdate()
    pact = Pact.objects.get(district=district)
    table = governance.create_body(
        actor=coordinator,
        pact=pact,
        kind="working_group",
        name="Tavolo di co-progettazione: educativa e gruppi 2027",
        description="Il tavolo di co-progettazione con gli enti del terzo settore (art. 55 D.Lgs. 117/2017).",
    )
    meeting = governance.schedule_body_meeting(
        actor=coordinator,
        body=table,
        starts_at=timezone.make_aware(datetime.combine(today - timedelta(days=10), datetime.min.time()))
        + timedelta(hours=10),
        duration_minutes=150,
        place="Ufficio di piano, sala riunioni",
        agenda="1. I bisogni emersi dall'analisi del territorio\n2. Proposte degli enti\n3. Calendario dei tavoli",
    )
    governance.record_body_minutes(
        actor=coordinator,
        meeting=meeting,
        version=meeting.version,
        minutes="Gli enti presentano le proposte; si concorda di ampliare l'educativa domiciliare a Bellaria.",
        decisions="Secondo tavolo entro tre settimane con la bozza del progetto condiviso.",
        attendance={},
    )
    process = services.start_process(
        actor=coordinator,
        district=district,
        title="Co-progettazione dell'educativa domiciliare e dei gruppi con i genitori 2027",
        reference="Avviso pubblico n. 14/2026 (demo)",
        description="Ampliare l'educativa domiciliare e i gruppi con i genitori nei comuni con più famiglie in attesa.",
        started_on=today - timedelta(days=70),
        body=table,
        needs_year=today.year - 1,
        participants=[institutions[name] for name in (RIMINI, COOP, FAMILY_CENTRE, AUSL)],
    )
    for days, note in ((40, "Tre manifestazioni di interesse ricevute"), (12, "Primo tavolo convocato")):
        process.refresh_from_db()
        services.advance_phase(
            actor=coordinator, process=process, version=process.version, on=today - timedelta(days=days), note=note
        )
    services.assign_meeting_phase(actor=coordinator, process=process, meeting=meeting, phase="tables")
    services.add_capacity(
        actor=coordinator, process=process, offer=offers["educativa-domiciliare"], places_added=4, hours_added=20
    )
    services.add_capacity(actor=coordinator, process=process, offer=offers["gruppi"], places_added=12)


def _indicators(district, coordinator):
    """The indicators of the Comune's commitment to co-design the services (commitment 6)."""
    commitment_indicators(
        district,
        coordinator,
        "Cooperare nelle attività di progettazione",
        (
            ("Processi di co-progettazione in corso", "processi", 1, "codesign_in_progress"),
            ("Processi di co-progettazione conclusi", "processi", 1, "codesign_concluded"),
            ("Posti aggiunti dagli accordi di co-progettazione", "posti", 10, "places_added"),
        ),
    )
