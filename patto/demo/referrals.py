"""The demo district's requests between institutions (issue 10): anonymous consultations and signals in
every state from the two schools of Rimini, the nido and the AUSL's paediatrician; requests for a
professional (one for a psychologist waiting for the AUSL's head of service); transfers between comuni;
an overdue signal; and an inbox with news for every demo account.

Every request is made through the referrals services, so the demo obeys the real rules (who may send,
assign, answer, accept; what an anonymous consultation refuses). The services date everything now; the
demo then gives each step the date it tells (``dated`` for the thread, the notifications and the
timeline; ``Story.settle`` for the request's clock), counting working days as ``core.workdays`` does, so
that due dates, pauses and response times are what the clock would have given."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from patto.accounts.models import Institution, Membership, SchoolSite, User
from patto.cases import services as cases
from patto.cases.models import Cohort, Path, PathEvent, Person, TeamMember, Volunteer
from patto.cases.queries import seats_in_force
from patto.core.workdays import add_working_days, is_working_day, working_days_between
from patto.governance.models import MonitoringPeriod
from patto.notifications.kinds import Kind as Notice
from patto.notifications.models import EmailDelivery, Notification
from patto.notifications.reminders import sources
from patto.notifications.services import notify
from patto.referrals import services
from patto.referrals.models import Request, RequestMessage, RequestPause

from .names import NameRegistry
from .pact import ensure_request_procedures

SEED = 2026
RIMINI = "Comune di Rimini"
BELLARIA = "Comune di Bellaria-Igea Marina"
SANTARCANGELO = "Comune di Santarcangelo di Romagna"
AUSL = "Azienda USL della Romagna — Distretto di Rimini"
MARINA = "Istituto comprensivo Rimini Marina (demo)"  # demo.referente, demo.dirigente
BORGO = "Istituto comprensivo Rimini Borgo (demo)"  # demo.referente2
NIDO = "Nido comunale Il Girasole (demo)"
R = Request.Outcome
TEAM = TeamMember.TeamRole
# Notifications older than this were read by their recipient (each one's newest is left unread).
READ_AFTER = timedelta(days=7)


def build_referrals(district):
    if Request.objects.filter(district=district).exists():
        return
    ensure_request_procedures(district)
    already = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    demo = Demo(district)
    _consultations(demo)
    _signals(demo)
    _professionals(demo)
    _transfers(demo)
    demo.run()  # every step of every story in the order of its date: numbers and references follow it
    _team_meeting(demo)
    _reminders(demo.today)
    _fill_inboxes(demo)
    _history(demo, already)


def _reminders(today):
    """The hourly job's reminders as of today: the overdue signal, the time points due, the commitments to
    update, the tasks past their date (the families' builder marks the older ones done)."""
    for _name, source in sorted(sources().items()):
        source(today)


@contextmanager
def dated(when):
    """What the services write inside the block (the thread's messages, the notifications, the timeline's
    entries) dated ``when`` instead of now."""
    start = timezone.now()
    yield
    RequestMessage.objects.filter(created_at__gte=start).update(created_at=when)
    Notification.objects.filter(created_at__gte=start).update(created_at=when)
    PathEvent.objects.filter(occurred_at__gte=start).update(occurred_at=when)


class Demo:
    def __init__(self, district):
        self.district = district
        self.today = timezone.localdate()
        self.institutions = {i.name: i for i in Institution.objects.filter(district=district)}
        fake = Faker("it_IT")
        Faker.seed(SEED)
        taken = [u.get_full_name() for u in User.objects.all()]
        taken += [f"{p.first_name} {p.last_name}" for p in Person.objects.filter(district=district)]
        taken += [f"{v.first_name} {v.last_name}" for v in Volunteer.objects.filter(district=district)]
        self.names = NameRegistry(fake, taken=taken)
        self.cohort = Cohort.objects.filter(district=district).order_by("-start_date").first()
        self.steps = []
        self.stories = []
        self.used = set()  # the families' paths a story already involves

    def plan(self, when, step):
        self.steps.append((when, len(self.steps), step))

    def run(self):
        for when, _order, step in sorted(self.steps, key=lambda item: item[:2]):
            with dated(when):
                step()
        for story in self.stories:
            story.settle()
            for afterwards in story.afterwards:
                afterwards(story)

    def __getitem__(self, name):
        return self.institutions[name]

    def user(self, username, at=None):
        """A new User object for each step, as each web request has (per-request caches start empty), acting
        under its membership at ``at`` (an institution's name) for a person with two."""
        user = User.objects.get(username=username)
        membership = None
        if at is not None:
            membership = Membership.objects.current().filter(user=user, institution=self[at]).first().pk
        user.act_as(membership)
        return user

    def day(self, working_days, where=RIMINI):
        """The date ``working_days`` working days before today, at the office of ``where``."""
        patron = services.patron_day_of(self[where])
        day = self.today
        while working_days > 0:
            day -= timedelta(days=1)
            if is_working_day(day, patron):
                working_days -= 1
        return day

    def at(self, working_days, hour, minute=0, where=RIMINI):
        return timezone.make_aware(datetime.combine(self.day(working_days, where), time(hour, minute)))

    def child(self, sex, years, days=0):
        """A fictional child of the district: (first name, last name, date of birth)."""
        first, last = self.names.full_name(sex=sex)
        return first, last, self.today - timedelta(days=years * 365 + days)

    def parents(self, last_name, *, mother=True, father=True, where="scuola"):
        """The parents as a sender knows them: names, and where their contacts are kept (no numbers)."""
        known = []
        if mother:
            first, last = self.names.full_name(sex="F")
            known.append(f"Madre: {first} {last}")
        if father:
            first, last = self.names.full_name(sex="M", last_name=last_name)
            known.append(f"Padre: {first} {last}")
        return "; ".join(known) + f" (recapiti telefonici agli atti della {where})."

    def site(self, school, name):
        return SchoolSite.objects.get(institution=self[school], name=name)

    def paths(self, state, cohort_name=None):
        paths = Path.objects.filter(family__district=self.district, state=state).exclude(pk__in=self.used)
        if cohort_name:
            paths = paths.filter(cohort__name=cohort_name)
        return paths.select_related("family", "cohort").order_by("family__reference")

    def take(self, path):
        """Reserve a family's path for one story."""
        self.used.add(path.pk)
        return path


# The services that close a request, and the other marks on its clock.
CLOSING = {
    services.answer_consultation,
    services.close_no_intervention,
    services.forward_signal,
    services.take_in_charge,
    services.accept_assignment,
    services.decline_request,
    services.withdraw_request,
}


class Later:
    """A value known only when its step runs (e.g. the consultation a signal continues, as answered)."""

    def __init__(self, get):
        self.get = get


def _values(kwargs):
    return {name: value.get() if isinstance(value, Later) else value for name, value in kwargs.items()}


class Story:
    """One request told step by step through the services, each step on the date the demo gives it. The
    steps are planned here and run by ``Demo.run`` in the order of their dates, whoever tells them."""

    def __init__(self, demo, sent=None):
        self.demo = demo
        self.request = None
        self.sent = sent
        self.assigned = None
        self.pauses = []  # [started_on, ended_on or None]
        self.closed = None
        self.afterwards = []  # what follows from the story once it is settled (seats, the path's dates)
        demo.stories.append(self)

    def send(self, when, service, actor, **kwargs):
        def step():
            self.request = service(actor=self.demo.user(actor), **_values(kwargs))

        self.sent = when
        self.demo.plan(when, step)
        return self

    def then(self, when, service, actor, at=None, into=None, **kwargs):
        """A step on the request; ``into``: the story of the request it gives rise to (a signal sent on)."""

        def step():
            request = Request.objects.get(pk=self.request.pk)
            result = service(
                actor=self.demo.user(actor, at), request=request, version=request.version, **_values(kwargs)
            )
            if into is not None:
                into.request = result

        day = timezone.localdate(when)
        if service is services.assign_request:
            self.assigned = when
        elif service is services.ask_more_information:
            self.pauses.append([day, None])
        elif service is services.provide_information:
            self.pauses[-1][1] = day
        elif service in CLOSING:
            self.closed = when
        self.demo.plan(when, step)
        return self

    def then_settled(self, afterwards):
        self.afterwards.append(afterwards)
        return self

    def settle(self):
        """The request's clock as it would have run: sent, due (moved on by each pause that ended), paused,
        assigned, answered, and the working days the answer took with the pauses left out."""
        request = Request.objects.select_related("receiver").get(pk=self.request.pk)
        patron = services.patron_day_of(request.receiver)
        sent_on = timezone.localdate(self.sent)
        until = timezone.localdate(self.closed) if self.closed else self.demo.today
        due = add_working_days(sent_on, request.working_days, patron)
        for started, ended in self.pauses:
            if ended:
                due = add_working_days(due, working_days_between(started, ended, patron), patron)
        fields = {"sent_at": self.sent, "due_on": due}
        if self.assigned:
            fields["assigned_at"] = self.assigned
        if request.paused_since:
            fields["paused_since"] = self.pauses[-1][0]
        if self.closed:
            fields["closed_at"] = self.closed
            if request.response_working_days is not None:
                paused = sum(working_days_between(s, e or until, patron) for s, e in self.pauses)
                fields["response_working_days"] = max(0, working_days_between(sent_on, until, patron) - paused)
        Request.objects.filter(pk=request.pk).update(**fields)
        for pause, (started, ended) in zip(request.pauses.order_by("started_on", "pk"), self.pauses, strict=True):
            RequestPause.objects.filter(pk=pause.pk).update(started_on=started, ended_on=ended)


def _path_opened(story):
    """A path opened by taking a signal in charge: signalled when the signal was sent, opened (and its case
    manager seated) when it was taken in charge."""
    path = Request.objects.get(pk=story.request.pk).path
    Path.objects.filter(pk=path.pk).update(signal_date=timezone.localdate(story.sent), created_at=story.closed)
    TeamMember.objects.filter(path=path, team_role=TEAM.CASE_MANAGER).update(
        valid_from=timezone.localdate(story.closed)
    )


# --- anonymous consultations --------------------------------------------------------------------------------


def _consultations(demo):
    send = services.send_consultation
    rimini = demo[RIMINI]

    # Sent yesterday, nobody has taken it yet.
    Story(demo).send(
        demo.at(1, 10, 5),
        send,
        "demo.referente2",
        receiver=rimini,
        age_band="11-13",
        observed="Un ragazzo di seconda media da alcune settimane arriva a scuola senza materiale e si addormenta "
        "durante le lezioni; con i compagni è diventato irritabile e ha litigato più volte all'intervallo.",
        observed_since="Da circa un mese",
        tried="Colloquio del coordinatore di classe con il ragazzo; proposto lo sportello d'ascolto della scuola.",
        family_informed=Request.FamilyInformed.PARTLY,
    )

    # Assigned by the head of service to the social worker, within its time.
    story = Story(demo).send(
        demo.at(2, 11, 20),
        send,
        "demo.nido",
        receiver=rimini,
        age_band="0-2",
        observed="Una bambina di venti mesi viene spesso ritirata molto in ritardo, talvolta da persone non indicate "
        "nella delega; all'ingresso piange a lungo e a pranzo mangia con voracità.",
        observed_since="Dall'inizio dell'anno educativo",
        tried="Colloquio con la madre, che riferisce turni di lavoro pesanti; ricordate le regole sulle deleghe.",
        family_informed=Request.FamilyInformed.YES,
    )
    story.then(demo.at(1, 9, 15), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente"))

    # Waiting for the paediatrician's answer to a question: the clock stands still.
    story = Story(demo).send(
        demo.at(4, 16, 40),
        send,
        "demo.pediatra",
        receiver=rimini,
        age_band="3-5",
        observed="Seguo un bambino di quattro anni con un ritardo nel linguaggio; la madre, sola, appare molto "
        "affaticata e ha saltato gli ultimi controlli e una vaccinazione programmata.",
        observed_since="Dagli ultimi due bilanci di salute",
        tried="Prescritta la valutazione logopedica; proposto alla madre il Centro per le famiglie.",
        family_informed=Request.FamilyInformed.PARTLY,
    )
    story.then(demo.at(3, 9, 0), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente"))
    story.then(
        demo.at(3, 12, 30),
        services.ask_more_information,
        "demo.assistente",
        text="Per orientarci: il bambino frequenta la scuola dell'infanzia o un altro servizio educativo? "
        "La madre può contare su qualcuno (familiari, vicini) per gli accompagnamenti?",
    )

    # Answered with advice to the school.
    story = Story(demo).send(
        demo.at(30, 8, 45),
        send,
        "demo.referente",
        receiver=rimini,
        age_band="6-10",
        observed="Un alunno di terza primaria racconta spesso di litigi molto forti tra i genitori e da qualche "
        "settimana disegna scene di rabbia; il rendimento è calato in tutte le materie.",
        observed_since="Da circa due mesi",
        tried="Colloquio dell'insegnante di riferimento con il bambino; osservazione in classe.",
        family_informed=Request.FamilyInformed.NO,
    )
    story.then(demo.at(29, 9, 30), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente"))
    story.then(
        demo.at(27, 15, 10),
        services.answer_consultation,
        "demo.assistente",
        outcome=R.ADVICE,
        answer="Vi consigliamo un colloquio della scuola con entrambi i genitori, in cui riportare quanto osservato "
        "senza giudizi e proporre il Centro per le famiglie (consulenza alla coppia e mediazione familiare). Se "
        "dovessero emergere elementi di pregiudizio per il bambino, inviate una segnalazione. Restiamo disponibili "
        "per un confronto telefonico.",
    )

    # Answered with an invitation to a joint meeting.
    story = Story(demo).send(
        demo.at(20, 10, 0),
        send,
        "demo.famiglie",
        receiver=rimini,
        age_band="0-2",
        observed="Una madre con una neonata di pochi mesi frequenta il gruppo di sostegno dopo il parto: appare "
        "molto isolata, dice di non dormire e di non avere nessuno a cui lasciare la bambina.",
        observed_since="Da tre incontri del gruppo",
        tried="Colloquio individuale con l'operatrice del Centro; dati i recapiti del consultorio familiare.",
        family_informed=Request.FamilyInformed.YES,
    )
    story.then(demo.at(19, 9, 0), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente"))
    story.then(
        demo.at(18, 11, 45),
        services.answer_consultation,
        "demo.assistente",
        outcome=R.JOINT_MEETING,
        answer="Vi proponiamo un incontro congiunto tra il Centro per le famiglie, il servizio sociale e "
        "l'ostetrica del consultorio, con la madre se è d'accordo: concordiamo la data per telefono. Nel "
        "frattempo potete proporle il progetto di visite domiciliari dopo la nascita.",
    )

    # Withdrawn by the school before anyone took it.
    story = Story(demo).send(
        demo.at(9, 13, 20),
        send,
        "demo.referente2",
        receiver=rimini,
        age_band="11-13",
        observed="Un'alunna di terza media appare molto in ansia prima delle verifiche e ha saltato diversi giorni di "
        "scuola; alle insegnanti dice che a casa nessuno ha tempo per aiutarla.",
        observed_since="Dall'inizio del secondo periodo didattico",
        tried="Piano di studio personalizzato concordato dal consiglio di classe.",
        family_informed=Request.FamilyInformed.YES,
    )
    story.then(
        demo.at(8, 10, 0),
        services.withdraw_request,
        "demo.referente2",
        reason="Ritiro la consultazione: la famiglia si è rivolta di sua iniziativa al consultorio familiare, con "
        "cui la scuola è ora in contatto.",
    )

    # "This should become a signal": the nido completes it as a signal, which is taken in charge.
    consultation = Story(demo).send(
        demo.at(25, 9, 10),
        send,
        "demo.nido",
        receiver=rimini,
        age_band="0-2",
        observed="Un bambino di due anni arriva al nido con gli stessi vestiti per più giorni e spesso senza cambi; "
        "al ritiro il padre appare confuso e in due occasioni le educatrici hanno sentito un forte odore di alcol.",
        observed_since="Da circa un mese",
        tried="Colloquio con il padre, che ha minimizzato; la madre non ha risposto alle telefonate del nido.",
        family_informed=Request.FamilyInformed.PARTLY,
    )
    consultation.then(
        demo.at(25, 11, 0), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente")
    )
    consultation.then(
        demo.at(23, 14, 30),
        services.answer_consultation,
        "demo.assistente",
        outcome=R.BECOME_SIGNAL,
        answer="Quanto descrivete va segnalato: completate la segnalazione a partire da questa consultazione (ciò "
        "che avete già scritto resta), con il nome del bambino, la data di nascita e i genitori. La prendiamo in "
        "esame entro i tempi della procedura.",
    )
    first, last, born = demo.child("M", 2, 95)
    signal = Story(demo).send(
        demo.at(22, 10, 15),
        services.send_signal,
        "demo.nido",
        from_request=Later(lambda: Request.objects.get(pk=consultation.request.pk)),
        data={
            "child_first_name": first,
            "child_last_name": last,
            "child_birth_date": born,
            "child_sex": "M",
            "age_band": "0-2",
            "comune": demo[RIMINI],
            "school": demo[NIDO],
            "school_class": "Sezione medi",
            "parents": demo.parents(last, where="struttura"),
            "concerns": ["bambino", "famiglia"],
            "observed": "Il nido riferisce che il bambino arriva con gli stessi vestiti per più giorni e spesso senza "
            "cambi; al ritiro il padre appare confuso e in due occasioni le educatrici hanno sentito un forte odore di "
            "alcol.",
            "observed_since": "Da circa un mese",
            "tried": "Colloquio con il padre, che ha minimizzato; la madre non ha risposto alle telefonate del nido.",
            "family_informed": Request.FamilyInformed.PARTLY,
            "family_knows": "Il padre sa che il nido ha chiesto un confronto al servizio sociale.",
            "urgency": Request.Urgency.ORDINARY,
        },
    )
    signal.then(demo.at(22, 12, 0), services.assign_request, "demo.responsabile", assignee=demo.user("demo.assistente"))
    signal.then(
        demo.at(19, 16, 0),
        services.take_in_charge,
        "demo.assistente",
        cohort=demo.cohort,
        answer="Presa in carico dal servizio sociale: la case manager vi contatterà per un primo incontro al nido.",
    ).then_settled(_path_opened)


# --- signals ------------------------------------------------------------------------------------------------


def _signal(demo, *, sex, years, days, school, site=None, school_class, observed, family_knows, **extra):
    first, last, born = demo.child(sex, years, days)
    data = {
        "child_first_name": first,
        "child_last_name": last,
        "child_birth_date": born,
        "child_sex": sex,
        "comune": demo[RIMINI],
        "school": demo[school],
        "school_site": demo.site(school, site) if site else None,
        "school_class": school_class,
        "parents": demo.parents(last),
        "observed": observed,
        "family_knows": family_knows,
        "urgency": Request.Urgency.ORDINARY,
        **extra,
    }
    return data


def _signals(demo):
    send = services.send_signal
    cm = demo.user("demo.assistente")

    # Sent yesterday by the school referent: waiting to be taken.
    Story(demo).send(
        demo.at(1, 12, 10),
        send,
        "demo.referente",
        data=_signal(
            demo,
            sex="M",
            years=12,
            days=140,
            school=MARINA,
            site="Scuola secondaria Tre Ponti",
            school_class="2ª A",
            observed="La scuola secondaria segnala che il ragazzo da alcune settimane arriva molto stanco, racconta di "
            "restare solo in casa fino a sera e di occuparsi dei fratelli più piccoli; è uscito due volte da scuola "
            "prima del termine delle lezioni senza autorizzazione.",
            family_knows="La famiglia non è ancora stata informata: la scuola chiede come farlo.",
            family_informed=Request.FamilyInformed.NO,
            concerns=["bambino", "famiglia"],
        ),
    )

    # Overdue: sent to the Comune di Rimini nine working days ago, nobody has taken it.
    Story(demo).send(
        demo.at(9, 8, 50),
        send,
        "demo.dirigente",
        data=_signal(
            demo,
            sex="M",
            years=5,
            days=60,
            school=MARINA,
            site="Scuola dell'infanzia Girotondo",
            school_class="Sezione grandi",
            observed="La scuola dell'infanzia segnala che il bambino arriva spesso affamato e con abiti inadatti alla "
            "stagione; i genitori, separati da poco, all'uscita discutono con toni accesi davanti ai bambini.",
            family_knows="Entrambi i genitori sono stati informati dalla dirigente che la scuola avrebbe scritto al "
            "servizio sociale.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["famiglia"],
        ),
    )

    # Assigned; the service asked for more information and the paediatrician answered: the clock moved on.
    story = Story(demo).send(
        demo.at(7, 17, 30),
        send,
        "demo.pediatra",
        data=_signal(
            demo,
            sex="F",
            years=7,
            days=200,
            school=BORGO,
            school_class="",
            observed="Il pediatra segnala che la bambina, celiaca, ha perso peso negli ultimi mesi e salta i controlli; "
            "la madre riferisce di non riuscire a seguire la dieta prescritta per motivi economici.",
            family_knows="La madre sa che il pediatra ha scritto al servizio sociale e ne è d'accordo.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["bambino", "ambiente"],
        ),
    )
    story.then(demo.at(6, 9, 10), services.assign_request, "demo.responsabile", assignee=cm)
    story.then(
        demo.at(6, 11, 0),
        services.ask_more_information,
        "demo.assistente",
        text="Potete indicarci la classe frequentata e se la madre è già seguita da altri servizi?",
    )
    story.then(
        demo.at(4, 18, 5),
        services.provide_information,
        "demo.pediatra",
        text="Frequenta la seconda alla primaria Arco d'Augusto. La madre non risulta seguita da altri servizi; il "
        "padre vive fuori regione.",
    )

    # Waiting for the school: the date of birth is missing.
    story = Story(demo).send(
        demo.at(3, 13, 0),
        send,
        "demo.referente2",
        data=_signal(
            demo,
            sex="F",
            years=6,
            days=150,
            school=BORGO,
            site="Scuola primaria Arco d'Augusto",
            school_class="1ª C",
            observed="La scuola segnala che la bambina racconta di essere lasciata sola in casa la sera; i genitori non "
            "si presentano ai colloqui e non rispondono alle comunicazioni del registro elettronico.",
            family_knows="I genitori non hanno risposto alla convocazione della scuola.",
            family_informed=Request.FamilyInformed.NO,
            concerns=["famiglia"],
            age_band="6-10",
        )
        | {"child_birth_date": None},
    )
    story.then(demo.at(3, 15, 0), services.assign_request, "demo.responsabile", assignee=cm)
    story.then(
        demo.at(2, 10, 20),
        services.ask_more_information,
        "demo.assistente",
        text="Per aprire il percorso ci servono la data di nascita della bambina e il recapito di almeno un "
        "genitore: potete completarli?",
    )

    # Taken in charge: a path opens in pre-assessment (answered two days late).
    story = Story(demo).send(
        demo.at(45, 9, 40),
        send,
        "demo.referente",
        data=_signal(
            demo,
            sex="F",
            years=9,
            days=100,
            school=MARINA,
            site="Scuola primaria Delfino",
            school_class="4ª B",
            observed="La scuola segnala che la bambina ha accumulato molte assenze non giustificate nell'ultimo "
            "trimestre e arriva spesso senza merenda; in classe appare stanca e si isola dalle compagne.",
            family_knows="La madre è stata informata nel colloquio con la dirigente e ha accettato di incontrare il "
            "servizio sociale.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["bambino", "famiglia"],
        ),
    )
    story.then(demo.at(44, 10, 0), services.assign_request, "demo.responsabile", assignee=cm)
    story.then(
        demo.at(38, 12, 0),
        services.take_in_charge,
        "demo.assistente",
        cohort=demo.cohort,
        answer="Presa in carico dal servizio sociale: la case manager concorderà con la scuola un primo incontro.",
    ).then_settled(_path_opened)

    # No intervention needed, with advice to the school.
    story = Story(demo).send(
        demo.at(16, 11, 25),
        send,
        "demo.referente",
        data=_signal(
            demo,
            sex="F",
            years=10,
            days=210,
            school=MARINA,
            site="Scuola primaria Delfino",
            school_class="5ª A",
            observed="La scuola segnala che la bambina è molto triste dopo la morte del nonno, che la accompagnava a "
            "scuola; piange spesso e non vuole partecipare alle uscite didattiche.",
            family_knows="La madre sa della segnalazione e ha chiesto lei stessa un aiuto alla scuola.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["bambino"],
        ),
    )
    story.then(demo.at(16, 14, 0), services.assign_request, "demo.responsabile", assignee=cm)
    story.then(
        demo.at(13, 16, 20),
        services.close_no_intervention,
        "demo.assistente",
        answer="Dal colloquio con la madre emerge una famiglia presente e attenta: non serve un intervento del servizio "
        "sociale. Vi consigliamo di restare in contatto con la famiglia, di proporre lo sportello psicologico della "
        "scuola e, se il malessere dura, di suggerire alla madre di parlarne con il pediatra. Per nuove "
        "preoccupazioni scriveteci di nuovo.",
    )

    # Sent to another service: the child lives in Bellaria-Igea Marina; the social worker there took it.
    story = Story(demo).send(
        demo.at(3, 9, 5),
        send,
        "demo.referente2",
        data=_signal(
            demo,
            sex="M",
            years=11,
            days=250,
            school=BORGO,
            site="Scuola secondaria Malatesta",
            school_class="1ª B",
            observed="La scuola segnala che il ragazzo ha frequenti crisi di rabbia in classe e racconta di non vedere "
            "il padre da mesi; la madre, che vive a Bellaria-Igea Marina, chiede aiuto alla scuola per gestirlo a "
            "casa.",
            family_knows="La madre ha chiesto lei stessa alla scuola di rivolgersi ai servizi.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["bambino", "famiglia"],
        ),
    )
    forwarded = Story(demo, sent=demo.at(2, 9, 40))
    story.then(
        demo.at(2, 9, 40),
        services.forward_signal,
        "demo.responsabile",
        into=forwarded,
        to=demo[BELLARIA],
        answer="Il ragazzo risiede a Bellaria-Igea Marina: inoltriamo la segnalazione al servizio sociale di quel "
        "Comune, che vi contatterà.",
    )
    forwarded.then(
        demo.at(1, 8, 55, where=BELLARIA),
        services.assign_request,
        "demo.doppio",
        at=BELLARIA,
        assignee=demo.user("demo.doppio", at=BELLARIA),
    )

    # Withdrawn by the paediatrician: sent to the wrong service.
    story = Story(demo).send(
        demo.at(11, 18, 0),
        send,
        "demo.pediatra",
        data=_signal(
            demo,
            sex="M",
            years=9,
            days=30,
            school=BORGO,
            site="Scuola primaria Arco d'Augusto",
            school_class="4ª A",
            observed="Il pediatra segnala che il bambino fa molte assenze per malesseri ricorrenti senza una causa "
            "organica; il padre riferisce forti tensioni in famiglia.",
            family_knows="Il padre sa che il pediatra si sarebbe rivolto al servizio sociale.",
            family_informed=Request.FamilyInformed.YES,
            concerns=["bambino"],
        ),
    )
    story.then(
        demo.at(10, 8, 30),
        services.withdraw_request,
        "demo.pediatra",
        reason="Ritiro la segnalazione: la famiglia ha appena preso la residenza a Riccione, fuori dal distretto; "
        "ho scritto al servizio sociale di quel Comune.",
    )


# --- requests for a professional ----------------------------------------------------------------------------


def _professionals(demo):
    cm = "demo.assistente"
    ausl = demo[AUSL]
    first, second = (demo.take(path) for path in demo.paths(Path.State.PRE_ASSESSMENT, demo.cohort.name)[:2])

    # A psychologist asked for two days ago: waiting for the AUSL's head of service to name one.
    Story(demo).send(
        demo.at(2, 10, 30),
        services.request_professional,
        cm,
        path=first,
        receiver=ausl,
        team_role=TEAM.PSYCHOLOGIST,
        text="Chiediamo uno psicologo per l'équipe multidisciplinare: la famiglia ha aderito alla pre-valutazione e "
        "la madre chiede un sostegno alla genitorialità. Il primo incontro d'équipe è previsto entro tre settimane.",
    )

    # One asked for earlier, assigned to demo.psicologa, who accepted: her seat in the team exists since.
    def seated(story):
        TeamMember.objects.filter(
            path=second, user__username="demo.psicologa", team_role=TEAM.PSYCHOLOGIST, ended_at=None
        ).update(valid_from=timezone.localdate(story.closed))

    story = Story(demo).send(
        demo.at(28, 9, 0),
        services.request_professional,
        cm,
        path=second,
        receiver=ausl,
        team_role=TEAM.PSYCHOLOGIST,
        text="Chiediamo uno psicologo per l'équipe: i genitori, separati, faticano a concordare le regole di casa e "
        "serve un sostegno già nella fase di pre-valutazione.",
    )
    story.then(
        demo.at(26, 11, 15),
        services.assign_request,
        "demo.responsabile.ausl",
        assignee=demo.user("demo.psicologa"),
    )
    story.then(demo.at(25, 9, 30), services.accept_assignment, "demo.psicologa").then_settled(seated)

    # A child neuropsychiatrist, declined with the reason: the child must first be assessed by the service.
    npi = User.objects.get(username="demo.npi")
    path = demo.take(demo.paths(Path.State.INTERVENTION, "PIPPI 12 — Rimini").exclude(team__user=npi).first())
    story = Story(demo).send(
        demo.at(35, 14, 0),
        services.request_professional,
        cm,
        path=path,
        receiver=ausl,
        team_role=TEAM.CHILD_NEUROPSYCHIATRIST,
        text="Chiediamo il neuropsichiatra infantile per l'équipe: la scuola osserva difficoltà di attenzione e di "
        "linguaggio che la famiglia conferma.",
    )
    story.then(
        demo.at(31, 10, 0),
        services.decline_request,
        "demo.responsabile.ausl",
        answer="Per ora non possiamo inserire un neuropsichiatra nell'équipe: serve prima una valutazione del servizio "
        "di Neuropsichiatria dell'infanzia e dell'adolescenza, con l'impegnativa del pediatra. Dopo la valutazione "
        "rinnovate la richiesta e la assegneremo.",
    )


# --- transfers ----------------------------------------------------------------------------------------------


def _transfers(demo):
    cm = "demo.assistente"
    moved, moving = (demo.take(path) for path in demo.paths(Path.State.INTERVENTION, "PIPPI 12 — Rimini")[:2])

    # Accepted: the family moved to Santarcangelo; the case manager's seat moved to the social worker there.
    def seat_moved(story):
        accepted_on = timezone.localdate(story.closed)
        seats = TeamMember.objects.filter(path=moved, team_role=TEAM.CASE_MANAGER)
        seats.filter(ended_at=None).update(valid_from=accepted_on)
        seats.filter(ended_at__isnull=False).update(
            valid_from=moved.cohort.start_date, valid_to=accepted_on, ended_at=story.closed
        )

    story = Story(demo).send(
        demo.at(22, 9, 20),
        services.request_transfer,
        cm,
        path=moved,
        receiver=demo[SANTARCANGELO],
        text="La famiglia si è trasferita a Santarcangelo di Romagna: chiediamo che il vostro servizio prenda in "
        "carico il percorso, ora in fase di intervento. Siamo disponibili per un passaggio di consegne con l'équipe "
        "e con la famiglia.",
    )
    story.then(
        demo.at(20, 10, 0, where=SANTARCANGELO),
        services.assign_request,
        "demo.responsabile.santarcangelo",
        assignee=demo.user("demo.doppio", at=SANTARCANGELO),
    )
    story.then(
        demo.at(18, 9, 45, where=SANTARCANGELO), services.accept_assignment, "demo.doppio", at=SANTARCANGELO
    ).then_settled(seat_moved)

    # Pending: another family is moving there too.
    Story(demo).send(
        demo.at(1, 15, 30),
        services.request_transfer,
        cm,
        path=moving,
        receiver=demo[SANTARCANGELO],
        text="La famiglia ha preso la residenza a Santarcangelo di Romagna: chiediamo il trasferimento del percorso e "
        "un incontro di passaggio di consegne con la famiglia.",
    )


# --- the inbox ----------------------------------------------------------------------------------------------


def _team_meeting(demo):
    """A team meeting convened for next week, for a family whose team has the neuropsychiatrist: its
    members are told (with the invitation's .ics) by the cases service."""
    npi = User.objects.get(username="demo.npi")
    path = (
        demo.paths(Path.State.INTERVENTION)
        .filter(team__user=npi)
        .filter(team__team_role=TEAM.CASE_MANAGER, team__user__username="demo.assistente", team__ended_at=None)
        .first()
    )
    if path is None:
        return
    day = demo.today + timedelta(days=7)
    while not is_working_day(day, services.patron_day_of(demo[RIMINI])):
        day += timedelta(days=1)
    team = [seat.user for seat in seats_in_force().filter(path=path).select_related("user")]
    cases.schedule_meeting(
        actor=demo.user("demo.assistente"),
        path=path,
        held_at=timezone.make_aware(datetime.combine(day, time(15, 0))),
        agenda="Verifica del progetto e preparazione della valutazione intermedia (T1)",
        participants=team,
        family_participants=list(path.family.members.filter(kind=Person.Kind.PARENT)),
        place="Servizi sociali, via Ducale 7",
    )


def _fill_inboxes(demo):
    """Every demo account has news: whoever the requests and the services did not reach is told of
    something they can open — a family's team they sit in, else the monitoring period of the pact (the
    commitments for a party's referent, the pact's page for the others)."""
    reached = set(Notification.objects.values_list("recipient_id", flat=True))
    period = (
        MonitoringPeriod.objects.filter(pact__district=demo.district, closed_at__isnull=True)
        .order_by("-starts_on")
        .first()
    )
    for user in User.objects.filter(username__startswith="demo.").exclude(pk__in=reached).order_by("username"):
        user.act_as(None)
        seat = seats_in_force().filter(user=user).select_related("path__family").order_by("valid_from", "pk").first()
        if seat is not None:
            url = reverse("cases:path_detail", kwargs={"pk": seat.path_id})
            kind, reference = Notice.TEAM_ADDED, seat.path.family.reference
        elif period is not None and user.has_perm("governance.view_governance"):
            kind, url, reference = Notice.MONITORING_PERIOD_OPENED, reverse("governance:commitments"), period.name
        else:
            kind, url = Notice.MONITORING_PERIOD_OPENED, reverse("governance:pact")
            reference = period.name if period is not None else ""
        with dated(demo.at(2, 9, 0)):
            notify(recipients=[user], kind=kind, url=url, reference=reference)


def _history(demo, already):
    """What the other builders' services told people while recording the district's past (seats, bodies,
    periods) dates from when the district started using Patto, about three months ago; whatever is older
    than a week has been read (each person's newest item is left unread) and its e-mail went out then."""
    went_live = demo.at(65, 8, 0)
    Notification.objects.filter(pk__lte=already).update(created_at=went_live)
    now = timezone.now()
    newest = Notification.objects.filter(recipient=OuterRef("recipient")).order_by("-created_at", "-pk")
    old = Notification.objects.filter(created_at__lt=now - READ_AFTER).exclude(pk=Subquery(newest.values("pk")[:1]))
    old.filter(read_at=None).update(read_at=now - READ_AFTER)
    past = Notification.objects.filter(created_at__lt=now - timedelta(hours=1))  # dated by the demo
    sent_at = Subquery(Notification.objects.filter(email=OuterRef("pk")).values("created_at")[:1])
    EmailDelivery.objects.filter(
        pk__in=past.exclude(email=None).values("email"), status=EmailDelivery.Status.PENDING
    ).update(
        status=EmailDelivery.Status.SENT,
        created_at=sent_at,
        sent_at=sent_at,
        attempts=1,
        last_attempt_at=sent_at,
        next_attempt_at=None,
    )
    past.exclude(email=None).update(emailed_at=F("created_at"))
