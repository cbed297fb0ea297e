"""Thirty fictional families over PIPPI 11, 12 and 13, at the stages a real district would have them."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from faker import Faker

from patto.accounts.models import Institution, User
from patto.cases import services
from patto.cases.models import (
    ClosureOutcome,
    Cohort,
    DeviceType,
    Family,
    Path,
    Person,
    SubDimension,
    Task,
    TeamMember,
    Volunteer,
)

from .names import NameRegistry

COHORTS = [
    ("PIPPI 11 — Rimini", date(2023, 1, 16)),
    ("PIPPI 12 — Rimini", date(2024, 3, 4)),
    ("PIPPI 13 — Rimini", date(2025, 9, 15)),
]
# Per cohort, the states of its ten families: the oldest cohort is mostly closed, the newest starting.
STAGES = {
    "PIPPI 11 — Rimini": ["closed"] * 7 + ["intervention"] * 3,
    "PIPPI 12 — Rimini": ["intervention"] * 6 + ["assessment"] * 2 + ["closed"] * 2,
    "PIPPI 13 — Rimini": [
        "signal",
        "pre_assessment",
        "pre_assessment",
        "agreement",
        "assessment",
        "assessment",
        "intervention",
        "intervention",
        "intervention",
        "signal",
    ],
}
# What each source says, so that a signal credited to a school reads as the school's, one credited to the
# AUSL as the paediatrician's (the paediatricians of free choice work with the AUSL), one credited to the
# Comune as its social service's. Keyed by the child's school level for a school; the words follow the
# child's and the parent's sex: {child} "il bambino"/"la bambina", {tired} "stanco"/"stanca", and so on.
SIGNALS = {
    "infanzia": "La scuola dell'infanzia riferisce che i genitori faticano a rispettare orari e accordi; "
    "{child} è spesso {restless}.",
    "primaria": "La scuola segnala assenze frequenti e ritardi nell'ingresso; {child} appare {tired} e poco {cared}.",
    "secondaria_1": "La scuola secondaria segnala isolamento {of_teen} e conflitti frequenti in famiglia.",
    "ausl": "Il pediatra di libera scelta segnala difficoltà {of_parent} nella gestione quotidiana dopo la separazione.",
    "comune": "Il servizio sociale conosce il nucleo per un sostegno economico; emergono fatiche nelle cure di base.",
    # Signals the social service records for others: the family asking for help, the juvenile court.
    "family": "Il servizio sociale accoglie la richiesta di aiuto presentata da {parent}: la famiglia fatica a "
    "organizzare la vita quotidiana e chiede un sostegno.",
    "court": "Il servizio sociale riceve dal Tribunale per i minorenni la richiesta di approfondire la situazione "
    "del nucleo; {child} vive con {parent}.",
}
# Who signalled, as the national monitoring asks: the AUSL's signals in the demo are the paediatricians'.
CHANNELS = {
    "infanzia": "school",
    "primaria": "school",
    "secondaria_1": "school",
    "ausl": "paediatrician",
    "comune": "social_service",
    "family": "family",
    "court": "court",
}
# Where each family lives, by its place in the cohort: most in Rimini, the others in the district's comuni.
RESIDENCES = [
    "Rimini",
    "Santarcangelo di Romagna",
    "Rimini",
    "Bellaria-Igea Marina",
    "Rimini",
    "Verucchio",
    "Rimini",
    "Poggio Torriana",
    "Rimini",
    "Novafeltria",
]
# Written as text that matches no comune of the district: the coordinator maps the first on the comuni page;
# the second is outside the district and stays as text.
UNMAPPED_RESIDENCE = ("PIPPI 13 — Rimini", 9, "Santarcangelo")
OUTSIDE_RESIDENCE = ("PIPPI 13 — Rimini", 8, "Cesena")
WORDS = {
    "F": {
        "child": "la bambina",
        "restless": "agitata",
        "tired": "stanca",
        "cared": "curata",
        "of_teen": "della ragazza",
        "of_parent": "della madre",
        "parent": "la madre",
    },
    "M": {
        "child": "il bambino",
        "restless": "agitato",
        "tired": "stanco",
        "cared": "curato",
        "of_teen": "del ragazzo",
        "of_parent": "del padre",
        "parent": "il padre",
    },
}
NOTES = [
    (
        "team",
        "Colloquio con {parent}: disponibilità a lavorare sugli orari del mattino. Concordata visita domiciliare.",
    ),
    ("school", "La famiglia ha dato il consenso a condividere con la scuola l'organizzazione dei compiti pomeridiani."),
    (
        "team",
        "L'educativa domiciliare è partita bene: le attività in casa procedono e {parent} partecipa agli incontri.",
    ),
]
SEED = 2024


def build_families(district):
    if Family.objects.filter(district=district).exists():
        return
    fake = Faker("it_IT")
    Faker.seed(SEED)
    rng = random.Random(SEED)
    # The staff's names are taken already: nobody in a family or among the volunteers gets one of them.
    names = NameRegistry(fake, taken=[user.get_full_name() for user in User.objects.all()])
    people = {u.username: u for u in User.objects.filter(username__startswith="demo.")}
    cm = people["demo.assistente"]
    cm.act_as(None)
    schools = list(
        Institution.objects.filter(district=district, kind=Institution.Kind.SCHOOL).prefetch_related("sites")
    )
    referent_school = people["demo.referente"].current_memberships[0].institution_id
    schools.sort(key=lambda school: school.pk != referent_school)
    comune = Institution.objects.get(district=district, name="Comune di Rimini")
    ausl = Institution.objects.get(district=district, kind=Institution.Kind.AUSL)
    outcomes = list(ClosureOutcome.objects.all())
    _volunteers(names, rng, district, cm)
    for name, start in COHORTS:
        cohort, _ = Cohort.objects.get_or_create(district=district, name=name, defaults={"start_date": start})
        for index, stage in enumerate(STAGES[name]):
            build_family(
                names, rng, cohort, stage, index, cm, people, schools, {"comune": comune, "ausl": ausl}, outcomes
            )
    # The oldest implementation takes no new families: its outcomes are those the needs-analysis report shows.
    Cohort.objects.filter(district=district, name=COHORTS[0][0]).update(is_active=False)


def school_level(age_years):
    """The school level a child of that age attends (the demo's children are 3 to 13)."""
    return "infanzia" if age_years < 6 else "primaria" if age_years < 11 else "secondaria_1"


def _child(names, rng, schools, index):
    # Half the children attend the school of the demo's school referent (the first school, with every level
    # up to the secondaria di primo grado), so that the families who agree to share with the school have a
    # teacher in the team; the others a school in Rimini (where they live) with a site of their level.
    age_days = rng.randint(3 * 365 + 1, 14 * 365 - 1)
    level = school_level(age_days // 365)
    school = (
        schools[0]
        if index % 2 == 0
        else rng.choice(
            [
                school
                for school in schools
                if school.town == "Rimini" and any(site.level == level for site in school.sites.all())
            ]
        )
    )
    site = rng.choice([site for site in school.sites.all() if site.level == level])
    sex = rng.choice("FM")
    first, last = names.full_name(sex=sex)
    return {
        "first_name": first,
        "last_name": last,
        "sex": sex,
        "fiscal_code": "",
        "birth_date": timezone.localdate() - timedelta(days=age_days),
        "town": "Rimini",
        "school": school,
        "school_site": site,
    }


def signal_from(rng, index, child, parent_sex, sources):
    """(source, text, channel): the child's school for half the families, the Comune's social service or the
    paediatrician (AUSL) for the others; the text is that source's, in the child's and parent's words. Some of
    the social service's signals come from the family itself or from the juvenile court."""
    kind = child["school_site"].level if index % 2 else rng.choice(["comune", "ausl"])
    source = child["school"] if index % 2 else sources[kind]
    if kind == "comune" and index % 4 == 0:
        kind = "family" if index % 8 == 0 else "court"
    words = {
        **WORDS[child["sex"]],
        "of_parent": WORDS[parent_sex]["of_parent"],
        "parent": WORDS[parent_sex]["parent"],
    }
    return source, SIGNALS[kind].format(**words), CHANNELS[kind]


def _residence(cohort, index, exception):
    """The comune of residence as a social worker would type it: the services turn a comune of the district
    into the comune (``cases.services.with_comune``); ``exception`` is the one family whose text differs."""
    name, position, text = exception
    return text if (cohort.name, index) == (name, position) else RESIDENCES[index % len(RESIDENCES)]


def build_family(names, rng, cohort, stage, index, cm, people, schools, sources, outcomes):
    child = _child(names, rng, schools, index)
    child["town"] = _residence(cohort, index, UNMAPPED_RESIDENCE)
    parent_sex = rng.choice("FM")
    source, summary, channel = signal_from(rng, index, child, parent_sex, sources)
    path = services.open_path(
        actor=cm,
        cohort=cohort,
        signal_source=source,
        signal_channel=channel,
        signal_date=cohort.start_date - timedelta(days=rng.randint(10, 60)),
        signal_summary=summary,
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        child=child,
    )
    parent_first, parent_last = names.full_name(sex=parent_sex, last_name=child["last_name"])
    services.add_person(
        actor=cm,
        path=path,
        kind=Person.Kind.PARENT,
        sex=parent_sex,
        town=_residence(cohort, index, OUTSIDE_RESIDENCE),
        first_name=parent_first,
        last_name=parent_last,
        fiscal_code="",
        birth_date=child["birth_date"] - timedelta(days=rng.randint(22 * 365, 40 * 365)),
    )
    if stage == "signal":
        return
    services.advance_path(actor=cm, path=path, version=path.version)
    if stage == "pre_assessment":
        return
    services.record_agreement(
        actor=cm,
        path=path,
        version=path.version,
        signed_on=cohort.start_date,
        signed_by=f"{parent_first} {parent_last}",
        document_reference=f"Prot. {1200 + index}",
        schools=[child["school"]] if index % 3 != 0 else [],
        school_sharing_scope="Frequenza, organizzazione dei compiti, incontri scuola-famiglia",
    )
    _team(path, cm, people, index)
    shares = path.consents.exists()
    for audience, text in NOTES[: 1 + index % 3]:
        if audience == "school" and not shares:
            continue  # nothing goes to a school the family did not agree to share with
        services.add_note(actor=cm, path=path, audience=audience, text=text.format(parent=WORDS[parent_sex]["parent"]))
    for target in ("assessment", "intervention"):
        if stage == "agreement" or (stage == "assessment" and target == "intervention"):
            return
        started = cohort.start_date + timedelta(days=rng.randint(20, 60))
        services.advance_path(actor=cm, path=path, version=path.version, started_on=started)
    _ratings(rng, cm, path, stage)
    _plan(rng, cm, path, people, index)
    _devices(rng, cm, path, index, sources["comune"], people)
    _meetings(rng, cm, path, people)
    if stage == "closed":  # about eighteen months after the start, or six weeks ago
        closed_on = min(path.intervention_started_on + timedelta(days=540), timezone.localdate() - timedelta(days=45))
        services.close_path(
            actor=cm,
            path=path,
            version=path.version,
            outcome=outcomes[index % len(outcomes)],
            reason="Obiettivi della micro-progettazione raggiunti in gran parte; verifica a T2.",
            closed_on=closed_on,
        )


def _team(path, cm, people, index):
    members = [("demo.psicologa", TeamMember.TeamRole.PSYCHOLOGIST), ("demo.educatore", TeamMember.TeamRole.EDUCATOR)]
    referent = people["demo.referente"]
    school = referent.current_memberships[0].institution
    if index % 2 == 0 and path.consents.filter(institution=school).exists():  # the family agreed to share
        members.append(("demo.referente", TeamMember.TeamRole.TEACHER))
    if index % 4 == 1:
        members.append(("demo.npi", TeamMember.TeamRole.CHILD_NEUROPSYCHIATRIST))
    for username, role in members:
        user = people[username]
        services.add_team_member(
            actor=cm,
            path=path,
            user=user,
            institution=user.current_memberships[0].institution,
            team_role=role,
            valid_from=path.cohort.start_date,
        )


# Mean rating at T0 and gain by T2 per side: Famiglia is the weakest at T0 and improves most (national reports).
SIDE_PROFILE = {"bambino": (3.0, 1.3), "famiglia": (2.2, 2.0), "ambiente": (3.0, 1.0)}


def _ratings(rng, cm, path, stage):
    """T0 for every path in intervention, T1 after nine months, T2 for the closed ones; mostly improving."""
    framework = services.current_framework()
    subs = list(SubDimension.objects.filter(side__framework=framework).select_related("side"))
    today = timezone.localdate()
    points = ["T0"]
    if path.intervention_started_on and (today - path.intervention_started_on).days > 270:
        points.append("T1")
    if stage == "closed":
        points.append("T2")
    for child in path.family.members.filter(kind="child"):
        for step, time_point in enumerate(points):
            for rater, bias in (("team", 0.0), ("family", 0.6)):
                values = {}
                for sub in subs:
                    start, gain = SIDE_PROFILE[sub.side.code]
                    value = start + bias + gain * step / 2 + rng.uniform(-1.0, 1.0)
                    values[sub.pk] = None if rng.random() < 0.03 else max(1, min(6, round(value)))
                services.save_assessment(
                    actor=cm,
                    path=path,
                    child=child,
                    time_point=time_point,
                    rater=rater,
                    values=values,
                    family_says="Ci sentiamo più ascoltati." if step else "",
                )


GOALS = [
    (
        "cura",
        "La mattina {child} fa colazione e arriva a scuola in orario",
        [
            ("educational", "Preparare insieme lo zaino e la colazione la sera prima", "parent"),
            ("educational", "Visite domiciliari per organizzare la routine del mattino", "demo.educatore"),
        ],
    ),
    (
        "guida",
        "In casa ci sono poche regole chiare, condivise da entrambi i genitori",
        [
            ("psychological", "Colloqui di sostegno alla genitorialità", "demo.psicologa"),
            ("social", "Accompagnare la famiglia al Centro per le famiglie", "demo.assistente"),
        ],
    ),
    (
        "apprendimento",
        "{child} fa i compiti con regolarità e chiede aiuto quando serve",
        [
            ("educational", "Diario dei compiti condiviso tra scuola e famiglia", "school"),
            ("social", "Iscrizione al doposcuola del quartiere", "demo.assistente"),
        ],
    ),
]
VOLUNTEERS = [
    ("approved", 0),
    ("approved", 1),
    ("interviewed", 2),
    ("applied", 3),
    ("not_suitable", 4),
    ("withdrawn", 5),
]


def _volunteers(names, rng, district, cm):
    for screening, offset in VOLUNTEERS:
        first_name, last_name = names.full_name()
        services.add_volunteer(
            actor=cm,
            district=district,
            first_name=first_name,
            last_name=last_name,
            town=rng.choice(["Rimini", "Santarcangelo di Romagna", "Bellaria-Igea Marina"]),
            predisposition="Disponibile due pomeriggi a settimana; accompagnamenti e compiti.",
            screening=screening,
            screened_on=None if screening == "applied" else date(2025, 6, 1) + timedelta(days=offset * 9),
        )


def _plan(rng, cm, path, people, index):
    framework = services.current_framework()
    child = path.family.members.filter(kind="child").first()
    parent = path.family.members.filter(kind="parent").first()
    school_member = path.team.filter(team_role="teacher").first()
    for code, result, actions in GOALS[: 2 + index % 2]:
        goal = services.add_goal(
            actor=cm,
            path=path,
            subdimension=framework.sides.get(subdimensions__code=code).subdimensions.get(code=code),
            expected_result=result.format(child=child.first_name),
        )
        for area, text, who in actions:
            deadline = (path.intervention_started_on or path.cohort.start_date) + timedelta(days=rng.randint(60, 240))
            if who == "parent":
                services.add_action(actor=cm, goal=goal, description=text, area=area, deadline=deadline, person=parent)
            elif who == "school":
                if school_member is None:
                    continue
                services.add_action(
                    actor=cm,
                    goal=goal,
                    description=text,
                    area=area,
                    deadline=deadline,
                    institution=school_member.institution,
                )
            elif path.team.filter(user=people[who]).exists():
                services.add_action(
                    actor=cm, goal=goal, description=text, area=area, deadline=deadline, professional=people[who]
                )


def _devices(rng, cm, path, index, comune, people):
    start = path.intervention_started_on or path.cohort.start_date
    coop = people["demo.educatore"].current_memberships[0].institution
    services.activate_device(
        actor=cm,
        path=path,
        device_type=DeviceType.objects.get(code="educativa-domiciliare"),
        provider=coop,
        responsible=people["demo.educatore"],
        starts_on=start,
        hours_per_week=rng.choice([3, 4, 6]),
    )
    if index % 2 == 0:
        groups = services.activate_device(
            actor=cm,
            path=path,
            device_type=DeviceType.objects.get(code="gruppi"),
            provider=comune,
            starts_on=start + timedelta(days=14),
            sessions_planned=8,
        )
        for week in range(rng.randint(2, 6)):
            services.record_device_session(
                actor=cm,
                activation=groups,
                held_on=groups.starts_on + timedelta(weeks=week * 2),
                attended=rng.random() > 0.25,
            )
    teacher = path.team.filter(team_role="teacher").select_related("institution").first()
    if teacher is not None:
        services.activate_device(
            actor=cm,
            path=path,
            device_type=DeviceType.objects.get(code="partenariato-scuola"),
            provider=comune,
            starts_on=start,
            school=teacher.institution,
        )
    if index % 4 == 3:
        volunteer = Volunteer.objects.filter(district=path.family.district, screening="approved").first()
        services.activate_device(
            actor=cm,
            path=path,
            device_type=DeviceType.objects.get(code="vicinanza-solidale"),
            provider=comune,
            starts_on=start + timedelta(days=30),
            volunteer=volunteer,
        )


def _meetings(rng, cm, path, people):
    start = path.intervention_started_on or path.cohort.start_date
    team = [m.user for m in path.team.select_related("user")]
    family = list(path.family.members.filter(kind="parent"))
    for number, agenda in enumerate(["Avvio del progetto con la famiglia", "Verifica intermedia del progetto"]):
        held = timezone.make_aware(datetime.combine(start + timedelta(days=7 + number * 120), time(15, 0)))
        meeting = services.schedule_meeting(
            actor=cm,
            path=path,
            held_at=held,
            agenda=agenda,
            participants=team,
            family_participants=family,
            place="Servizi sociali, via Ducale 7",
        )
        steps = (
            [
                {
                    "description": "Visita domiciliare e aggiornamento della routine",
                    "assignee": people["demo.educatore"],
                    "due_on": held.date() + timedelta(days=14),
                }
            ]
            if people["demo.educatore"] in team
            else []
        )
        services.record_minutes(
            actor=cm,
            meeting=meeting,
            version=meeting.version,
            minutes="La famiglia racconta le ultime settimane; l'équipe condivide le osservazioni.",
            decisions="Si prosegue con le azioni del progetto.",
            next_steps=steps,
        )
        # The educator did what was asked, except in the last weeks: only recent tasks are still open.
        for task in meeting.tasks.filter(done_on__isnull=True, due_on__lt=timezone.localdate() - timedelta(days=21)):
            services.complete_task(actor=task.assignee, task=task)
            Task.objects.filter(pk=task.pk).update(done_on=task.due_on)
