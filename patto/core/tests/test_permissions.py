"""Every URL pattern, walked: deny by default, and a persona × URL matrix of expected statuses.

A new URL fails these tests until it is classified here."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# Reachable without signing in. Everything else must redirect anonymous users to sign-in.
PUBLIC = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "core:health",
    "set_language",
    # Calendar apps cannot sign in: the secret, revocable token is the key (see governance.views_bodies).
    "governance:calendar_feed",
    # The pact's public page, once the coordinator publishes it: the text in force and the signatories.
    "public_pact",
    # The needs analysis' open data, once the coordinator publishes them: suppressed aggregates, no record.
    "open_data_public",
    "open_data_csv",
}


def walk(resolvers, namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def all_url_names():
    return {name for name, _pattern in walk(get_resolver().url_patterns)}


PATH_URLS = {
    "cases:path_detail",
    "cases:path_sections",
    "cases:path_advance",
    "cases:path_agreement",
    "cases:path_close",
    "cases:path_reopen",
    "cases:person_add",
    "cases:team_add",
    "cases:note_add",
    "cases:plan",
    "cases:goal_add",
    "cases:plan_print",
    "cases:plan_pdf",
    "cases:device_add",
    "cases:meeting_add",
    "cases:agreement_document",
    "cases:consent_add",
}


# A signal the school referent sent to the Comune di Rimini, assigned to the case manager (a social worker there).
REQUEST_URLS = {
    "referrals:detail",
    "referrals:assign",
    "referrals:message",
    "referrals:ask_information",
    "referrals:provide_information",
    "referrals:answer",
    "referrals:no_intervention",
    "referrals:forward",
    "referrals:take_in_charge",
    "referrals:accept",
    "referrals:decline",
    "referrals:withdraw",
}


# A co-design process of the district recorded by the coordinator.
CODESIGN_URLS = {
    "offer:codesign_detail",
    "offer:codesign_edit",
    "offer:codesign_advance",
    "offer:codesign_capacity",
    "offer:codesign_document",
}


# Funds: a call of the district, a draft proposal led by the Comune (with the cooperative), a proposal proposed to
# the school (its participation not yet confirmed), and a funded project led by the Comune.
FUNDING_PROPOSAL_URLS = {
    "funding:proposal",
    "funding:partner_add",
    "funding:proposal_status",
    "funding:proposal_agreement",
    "funding:project_add",
}
FUNDING_PROJECT_URLS = {
    "funding:project",
    "funding:budget_line_add",
    "funding:milestone_add",
    "funding:expenditure_add",
    "funding:report",
    "funding:report_pdf",
    "funding:report_xlsx",
}


# A question the school referent asked the Comune's legal office, answered and published as an FAQ.
QUESTION_URLS = {
    "helpdesk:question",
    "helpdesk:assign",
    "helpdesk:ask_clarification",
    "helpdesk:give_clarification",
    "helpdesk:answer",
    "helpdesk:close",
    "helpdesk:publish",
}


def sample_url(name, objects):
    kwargs = {
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:institution_detail": {"pk": objects["institution"]},
        "accounts:institution_edit": {"pk": objects["institution"]},
        "accounts:institution_people": {"pk": objects["institution"]},
        "accounts:membership_add": {"pk": objects["institution"]},
        "accounts:membership_edit": {"pk": objects["membership"]},
        "accounts:membership_end": {"pk": objects["membership"]},
        "accounts:invitation_resend": {"pk": objects["membership"]},
        "accounts:person_detail": {"pk": objects["person"]},
        "cases:team_end": {"pk": objects["path"], "member_pk": objects["team_member"]},
        "cases:consent_withdraw": {"pk": objects["path"], "consent_pk": objects["consent"]},
        "audit:family_accesses": {"key": objects["family"]},
        "audit:family_accesses_xlsx": {"key": objects["family"]},
        "audit:person_accesses": {"key": objects["child"]},
        "audit:person_accesses_xlsx": {"key": objects["child"]},
        "audit:signal_accesses": {"key": objects["request"]},
        "audit:signal_accesses_xlsx": {"key": objects["request"]},
        "audit:person_report": {"key": objects["child"]},
        "audit:person_report_pdf": {"key": objects["child"]},
        "cases:assessment_edit": {
            "pk": objects["path"],
            "child_pk": objects["child"],
            "time_point": "T0",
            "rater": "team",
        },
        "cases:comparison": {"pk": objects["path"], "child_pk": objects["child"]},
        "cases:prepost_edit": {"pk": objects["path"], "time_point": "T0"},
        "cases:goal_edit": {"pk": objects["path"], "goal_pk": objects["goal"]},
        "cases:action_add": {"pk": objects["path"], "goal_pk": objects["goal"]},
        "cases:action_remove": {"pk": objects["path"], "action_pk": objects["action"]},
        "cases:device_edit": {"pk": objects["path"], "activation_pk": objects["device"]},
        "cases:session_add": {"pk": objects["path"], "activation_pk": objects["device"]},
        "cases:volunteer_edit": {"volunteer_pk": objects["volunteer"]},
        "cases:meeting_detail": {"pk": objects["path"], "meeting_pk": objects["meeting"]},
        "cases:meeting_ics": {"pk": objects["path"], "meeting_pk": objects["meeting"]},
        "cases:meeting_change": {"pk": objects["path"], "meeting_pk": objects["meeting"]},
        "cases:cohort_edit": {"cohort_pk": objects["cohort"]},
        "cases:catalogue_add": {"kind": "outcome"},
        "cases:catalogue_edit": {"kind": "device", "entry_pk": objects["device_type"]},
        "governance:version_detail": {"number": 1},
        "governance:section_edit": {"number": 2, "key": "premesse"},
        "governance:commitment_add": {"number": 2},
        "governance:commitment_edit": {"number": 2, "commitment_pk": objects["draft_commitment"]},
        "governance:version_approve": {"number": 2},
        "governance:version_submit": {"number": 2},
        "governance:version_withdraw": {"number": 2},
        "governance:adhesion_withdraw": {"adhesion_pk": objects["adhesion"]},
        "governance:adhesion_attach": {"adhesion_pk": objects["adhesion"]},
        "governance:document": {"attachment_id": objects["document"]},
        "governance:commitment_status": {"commitment_pk": objects["commitment"]},
        "governance:period_close": {"period_pk": objects["period"]},
        "governance:period_report": {"period_pk": objects["period"]},
        "governance:period_report_pdf": {"period_pk": objects["period"]},
        "governance:period_report_xlsx": {"period_pk": objects["period"]},
        "governance:body_detail": {"body_pk": objects["body"]},
        "governance:procedure": {"procedure_pk": objects["procedure"]},
        "governance:calendar_feed": {"token": "not-a-valid-token"},
        "public_pact": {"public_id": objects["public_id"]},
        "governance:indicator_add": {"commitment_pk": objects["commitment"]},
        "governance:indicator_value": {"indicator_pk": objects["indicator"]},
        "governance:body_meeting_add": {"body_pk": objects["body"]},
        "governance:body_meeting": {"meeting_pk": objects["body_meeting"]},
        "governance:body_meeting_change": {"meeting_pk": objects["body_meeting"]},
        "governance:minutes_approve": {
            "meeting_pk": objects["body_meeting"],
            "previous_pk": objects["previous_meeting"],
        },
        "governance:meeting_ics": {"meeting_pk": objects["body_meeting"]},
        "governance:minutes_pdf": {"meeting_pk": objects["body_meeting"]},
        "governance:action_item_status": {"item_pk": objects["action_item"]},
        "cases:task_done": {"pk": objects["path"], "task_pk": objects["task"]},
        "cases:path_section": {"pk": objects["path"], "name": "note"},
        "notifications:open": {"pk": objects["notification"]},
        "notifications:email_retry": {"pk": objects["email"]},
        **{name: {"pk": objects["request"]} for name in REQUEST_URLS},
        "referrals:attachment": {"pk": objects["request"], "attachment_id": objects["request_attachment"]},
        "referrals:path_professional": {"path_id": objects["path"]},
        "referrals:path_transfer": {"path_id": objects["path"]},
        "offer:offer_edit": {"pk": objects["offer"]},
        "offer:waiting_add": {"path_id": objects["path"]},
        "offer:waiting_withdraw": {"pk": objects["waiting"]},
        "offer:waiting_activate": {"pk": objects["waiting"]},
        **{name: {"pk": objects["codesign"]} for name in CODESIGN_URLS},
        "offer:codesign_meeting_phase": {"pk": objects["codesign"], "meeting_pk": objects["codesign_meeting"]},
        "offer:codesign_document_download": {"pk": objects["codesign"], "document_pk": objects["codesign_document"]},
        **{name: {"pk": objects["funding_call"]} for name in ("funding:call", "funding:proposal_add")},
        **{name: {"pk": objects["funding_proposal"]} for name in FUNDING_PROPOSAL_URLS},
        **{name: {"pk": objects["funding_project"]} for name in FUNDING_PROJECT_URLS},
        "funding:partner_confirm": {"pk": objects["funding_partner"]},
        "funding:milestone_reached": {"pk": objects["funding_project"], "milestone_pk": objects["funding_milestone"]},
        "funding:document": {"attachment_id": objects["funding_document"]},
        **{
            name: {"pk": objects["funding_draft_partner"]}
            for name in ("funding:partner_edit", "funding:partner_remove")
        },
        **{
            name: {"pk": objects["funding_project"], "line_pk": objects["funding_line"]}
            for name in ("funding:budget_line_edit", "funding:budget_line_remove")
        },
        **{
            name: {"pk": objects["funding_project"], "milestone_pk": objects["funding_milestone"]}
            for name in ("funding:milestone_edit", "funding:milestone_remove")
        },
        **{
            name: {"pk": objects["funding_project"], "expenditure_pk": objects["funding_expenditure"]}
            for name in ("funding:expenditure_edit", "funding:expenditure_cancel")
        },
        **{name: {"pk": objects["question"]} for name in QUESTION_URLS},
        "helpdesk:faq": {"pk": objects["faq"]},
        "helpdesk:faq_publication": {"pk": objects["faq"]},
        "helpdesk:template": {"pk": objects["template"]},
        "helpdesk:template_file": {"pk": objects["template"]},
        "core:export_status": {"pk": objects["export"]},
        "monitoring:grant_revoke": {"grant_pk": objects["grant"]},
        "monitoring:open_data_withdraw": {"dataset_pk": uuid.UUID(int=1)},
        "open_data_public": {"district_pk": objects["district"]},
        "open_data_csv": {"district_pk": objects["district"], "dataset_pk": uuid.UUID(int=1)},
        "core:export_fragment": {"pk": objects["export"]},
        "core:export_download": {"pk": objects["export"]},
    }.get(name, {"pk": objects["path"]} if name in PATH_URLS else {})
    return reverse(name, kwargs=kwargs)


def _sample_notifications(personas):
    """A notification to the case manager, and an e-mail to the educator that failed (for the technical admin)."""
    from patto.notifications.kinds import Kind
    from patto.notifications.models import EmailDelivery
    from patto.notifications.services import notify

    (notification,) = notify(recipients=[personas["case_manager"].user], kind=Kind.TASK_ASSIGNED, url="/")
    (failed,) = notify(recipients=[personas["team_member"].user], kind=Kind.TASK_ASSIGNED, url="/")
    EmailDelivery.objects.filter(pk=failed.email_id).update(status=EmailDelivery.Status.FAILED, attempts=8)
    return {"notification": notification.pk, "email": failed.email_id}


def _sample_export(personas, pact):
    """A monitoring report the coordinator asked for in the background, ready to download."""
    from django.core.files.base import ContentFile

    from patto.core.exportjobs import export_storage
    from patto.core.models import ExportJob

    name = export_storage().save(f"te/{uuid.uuid4().hex}", ContentFile(b"%PDF-1.7 sample"))
    return ExportJob.objects.create(
        kind="governance.report_pdf",
        params={"period": pact.periods.get().pk},
        requested_by=personas["coordinator"].user,
        status=ExportJob.Status.READY,
        filename="monitoraggio.pdf",
        content_type="application/pdf",
        storage_name=name,
        size=15,
        expires_at=timezone.now() + timedelta(hours=24),
    ).pk


def _signed_document(pact, world, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.documents.tests import samples
    from patto.governance.services import attach_signed_document

    adhesion = attach_signed_document(
        actor=personas["coordinator"].user,
        upload=SimpleUploadedFile("adesione.pdf", samples.pdf()),
        adhesion=pact.adhesions.get(institution=world.coop),
    )
    return adhesion.signed_document_id


def _sample_request(personas, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.documents.tests import samples
    from patto.referrals import services

    signal = services.send_signal(
        actor=personas["school_referent"].user,
        data={
            "comune": world.comune,
            "child_first_name": "Nina",
            "child_last_name": "Fabbri",
            "child_birth_date": timezone.localdate() - timedelta(days=7 * 365),
            "child_sex": "F",
            "observed": "Arriva stanca e senza merenda.",
        },
        uploads=[SimpleUploadedFile("relazione.pdf", samples.pdf())],
    )
    worker = personas["case_manager"].user
    services.assign_request(actor=worker, request=signal, version=signal.version, assignee=worker)
    return {"request": signal.pk, "request_attachment": signal.attachments.get().pk}


def _sample_funding(personas, world):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.documents.tests import samples
    from patto.funding import services
    from patto.funding.models import Funder

    coordinator = personas["coordinator"].user
    call = services.create_call(
        actor=coordinator,
        district=world.district,
        funder=Funder.REGION,
        title="Bando famiglie 2027",
        reference="DGR 100/2026",
        deadline=date(2027, 1, 31),
        amount="150000.00",
        eligible_partners="Comuni, scuole, terzo settore",
    )
    draft = services.create_proposal(
        actor=coordinator,
        call=call,
        lead=world.comune,
        title="Rete famiglie",
        lead_role="Capofila",
        agreement=SimpleUploadedFile("lettera.pdf", samples.pdf()),
    )
    draft_partner = services.add_partner(
        actor=coordinator, proposal=draft, institution=world.coop, role="Educativa", amount="1000", cofinancing="0"
    )
    proposed = services.create_proposal(
        actor=coordinator,
        call=call,
        lead=world.comune,
        title="Scuole",
        lead_role="Capofila",
        agreement=SimpleUploadedFile("lettera-scuole.pdf", samples.pdf()),
    )
    school = services.add_partner(
        actor=coordinator, proposal=proposed, institution=world.school, role="Scuola", amount="500", cofinancing="0"
    )
    services.move_proposal(actor=coordinator, proposal=proposed, version=proposed.version, status="proposed")
    funded = services.create_proposal(
        actor=coordinator, call=call, lead=world.comune, title="PIPPI", lead_role="Capofila"
    )
    funded.partners.update(confirmed_at=timezone.now(), confirmed_by=coordinator)
    funded.status = "funded"
    funded.save(update_fields=["status"])
    project = services.create_project(
        actor=coordinator,
        proposal=funded,
        cup="F79J22001380004",
        title="PIPPI",
        funding_source=Funder.PNRR,
        measure="PNRR M5C2 1.1.1",
        total="211500",
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    line = services.add_budget_line(
        actor=coordinator, project=project, category="staff", description="Coach", amount="1000"
    )
    expenditure = services.record_expenditure(
        actor=coordinator,
        project=project,
        budget_line=line,
        partner=funded.partners.get(),
        spent_on=date(2026, 3, 1),
        amount="100",
        supplier="Cooperativa Coach",
    )
    milestone = services.add_milestone(
        actor=coordinator, project=project, title="Coach formati", due_on=date(2026, 6, 30), target=6
    )
    return {
        "funding_call": call.pk,
        "funding_proposal": draft.pk,
        "funding_partner": school.pk,
        "funding_project": project.pk,
        "funding_milestone": milestone.pk,
        "funding_document": draft.agreement_id,
        "funding_draft_partner": draft_partner.pk,
        "funding_line": line.pk,
        "funding_expenditure": expenditure.pk,
    }


def _sample_grant(personas):
    """The Comune's administrator (its management) may read the district's figures."""
    from patto.monitoring.services import grant_aggregate_access

    return grant_aggregate_access(
        actor=personas["coordinator"].user,
        membership=personas["institution_admin"],
        reason="Giunta",
        starts_on=timezone.localdate(),
    ).pk


def _sample_offer(personas, world, family_path):
    """The cooperative's home education on the map of the offer, the fixture's family waiting for it (entered by
    its case manager), and a co-design process of the district with a document and its table's meeting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.cases.models import DeviceType
    from patto.documents.tests import samples
    from patto.governance import services as governance
    from patto.governance.models import Pact
    from patto.offer import services
    from patto.territory.models import Comune

    coordinator = personas["coordinator"].user
    comune, _created = Comune.objects.get_or_create(
        district=world.district, istat_code="099014", defaults={"name": "Rimini"}
    )
    offer = services.add_offer(
        actor=coordinator,
        district=world.district,
        device_type=DeviceType.objects.get(code="vicinanza-solidale"),
        provider=world.coop,
        comuni=[comune],
        age_bands=["6-10"],
        places=5,
    )
    waiting = services.put_on_waiting_list(
        actor=personas["case_manager"].user, path=family_path, offer=offer, need="Una famiglia d'appoggio"
    )
    pact = Pact.objects.get(district=world.district)
    table = governance.create_body(
        actor=coordinator, pact=pact, kind="working_group", name="Tavolo di co-progettazione"
    )
    meeting = governance.schedule_body_meeting(
        actor=coordinator,
        body=table,
        starts_at=timezone.now() - timedelta(days=3),
        duration_minutes=90,
        place="Sala del tavolo",
        agenda="Primo tavolo",
    )
    process = services.start_process(
        actor=coordinator,
        district=world.district,
        title="Co-progettazione educativa 2027",
        started_on=timezone.localdate(),
        participants=[world.coop],
        body=table,
    )
    document = services.add_document(
        actor=coordinator,
        process=process,
        phase="notice",
        title="Avviso pubblico",
        upload=SimpleUploadedFile("avviso.pdf", samples.pdf()),
    )
    return {
        "offer": offer.pk,
        "waiting": waiting.pk,
        "codesign": process.pk,
        "codesign_document": document.pk,
        "codesign_meeting": meeting.pk,
    }


def _sample_helpdesk(personas, world):
    """The school referent's question to the Comune's legal office (the legal_office persona, a lawyer there),
    answered and published as an FAQ; a template of the library added by the coordinator."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.accounts.roles import Role
    from patto.accounts.tests.factories import MembershipFactory, UserFactory
    from patto.documents.tests import samples
    from patto.helpdesk import services

    lawyer = MembershipFactory(
        user=UserFactory(username="legal_office"), institution=world.comune, role=Role.LEGAL_OFFICE
    ).user
    question = services.ask_question(
        actor=personas["school_referent"].user,
        category="separated_parents",
        subject="Pagella al genitore non collocatario",
        text="Possiamo consegnare la pagella a entrambi i genitori separati?",
    )
    services.answer_question(actor=lawyer, question=question, version=question.version, answer="Sì, a entrambi.")
    faq = services.publish_faq(
        actor=lawyer,
        source_question=question,
        category="separated_parents",
        question="La pagella va consegnata a entrambi i genitori separati?",
        answer="Sì, salvo provvedimento del giudice.",
    )
    template = services.add_template(
        actor=personas["coordinator"].user,
        district=world.district,
        title="Modulo di segnalazione",
        kind="signal_form",
        description="",
        owner=world.comune,
        upload=SimpleUploadedFile("segnalazione.pdf", samples.pdf()),
        approved_on=timezone.localdate() - timedelta(days=30),
        review_on=timezone.localdate() + timedelta(days=335),
    )
    return {"question": question.pk, "faq": faq.pk, "template": template.pk}


@pytest.fixture
def objects(personas, world, family_path, pact):
    """The objects the matrix is about: the Comune di Rimini, the case manager's membership, and the
    family path whose team is the case manager, the psychologist, the teacher and the educator."""
    from patto.cases import services
    from patto.cases.models import DeviceType, SubDimension

    membership = personas["case_manager"]
    educator = family_path.team.get(user=personas["team_member"].user)
    goal = services.add_goal(
        actor=membership.user,
        path=family_path,
        expected_result="Arrivare a scuola in orario",
        subdimension=SubDimension.objects.filter(side__framework__is_current=True).first(),
    )
    action = services.add_action(
        actor=membership.user,
        goal=goal,
        description="Sveglia alle 7",
        area="educational",
        deadline="2026-03-01",
        person=family_path.family.members.get(kind="child"),
    )
    from patto.cases.models import Task
    from patto.governance.models import ActionItem, BodyMeeting

    body_meeting = pact.bodies.get().meetings.get()
    previous = BodyMeeting.objects.create(
        body=body_meeting.body,
        starts_at=body_meeting.starts_at - timedelta(days=60),
        place="Sala Giunta",
        agenda="1. Insediamento",
        minutes="Verbale",
    )
    action_item = ActionItem.objects.create(
        meeting=body_meeting,
        description="Inviare il modulo",
        due_on="2026-04-01",
        owner=personas["coordinator"].user,
        institution=world.comune,
    )
    task = Task.objects.create(
        path=family_path, description="Chiamare la scuola", due_on="2026-03-30", assignee=membership.user
    )
    return {
        "institution": world.comune.pk,
        "district": world.district.pk,
        "membership": membership.pk,
        "person": membership.user_id,
        "path": family_path.pk,
        "team_member": educator.pk,
        "consent": family_path.consents.get().pk,
        "task": task.pk,
        **_sample_notifications(personas),
        "action_item": action_item.pk,
        "previous_meeting": previous.pk,
        "family": family_path.family_id,
        "child": family_path.family.members.get(kind="child").pk,
        "goal": goal.pk,
        "action": action.pk,
        "cohort": family_path.cohort_id,
        "commitment": pact.version_in_force().commitments.get(institution=world.comune).pk,
        "draft_commitment": pact.versions.get(number=2).commitments.first().pk,
        "adhesion": pact.adhesions.get(institution=world.coop).pk,
        "period": pact.periods.get().pk,
        "document": _signed_document(pact, world, personas),
        "body": pact.bodies.get().pk,
        "body_meeting": body_meeting.pk,
        "procedure": pact.procedures.get().pk,
        "public_id": pact.public_id,
        "indicator": pact.version_in_force().commitments.get(institution=world.comune).indicators.get().pk,
        "device_type": DeviceType.objects.get(code="gruppi").pk,
        "device": services.activate_device(
            actor=membership.user,
            path=family_path,
            device_type=DeviceType.objects.get(code="educativa-domiciliare"),
            provider=world.coop,
            starts_on="2025-10-01",
            hours_per_week=4,
        ).pk,
        "meeting": services.schedule_meeting(
            actor=membership.user,
            path=family_path,
            held_at=timezone.now(),
            agenda="Avvio",
            participants=[membership.user, personas["school_referent"].user],
        ).pk,
        "volunteer": services.add_volunteer(
            actor=membership.user,
            district=world.district,
            first_name="Rita",
            last_name="Semprini",
            town="Rimini",
            screening="applied",
        ).pk,
        **_sample_request(personas, world),
        **_sample_helpdesk(personas, world),
        **_sample_funding(personas, world),
        "export": _sample_export(personas, pact),
        "grant": _sample_grant(personas),
        **_sample_offer(personas, world, family_path),
    }


def test_every_url_is_public_by_choice_or_needs_sign_in(client, objects):
    for name in all_url_names():
        url = sample_url(name, objects)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name in PUBLIC:
                continue
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login")), (name, method)
    assert len(PUBLIC) <= 11


def test_anonymous_responses_carry_no_personal_data(client, objects, personas):
    surname = personas["case_manager"].user.last_name
    for name in PUBLIC:
        response = client.get(sample_url(name, objects), follow=True)
        assert surname.encode() not in response.content, name


ALL = (
    "case_manager",
    "coordinator",
    "institution_admin",
    "other_admin",
    "school_referent",
    "health_professional",
    "team_member",
    "outsider",
    "admin",
    "auditor",
    "foreigner",
    "stranger",
    "legal_office",  # the Comune's legal office (the help desk's lawyer), made with the help desk's sample
)


def expect(default, **overrides):
    table = dict.fromkeys(ALL, default)
    table.update(overrides)
    return table


TEAM_OK = {"case_manager": 200, "health_professional": 200, "school_referent": 200, "team_member": 200}
TEAM_NOT_SCHOOL = {"case_manager": 200, "health_professional": 200, "school_referent": 403, "team_member": 200}
SIGNATORY_USERS = dict.fromkeys(
    (
        "case_manager",
        "coordinator",
        "institution_admin",
        "other_admin",
        "school_referent",
        "health_professional",
        "team_member",
    ),
    200,
)
GOVERNANCE = {
    **dict.fromkeys(SIGNATORY_USERS, 403),
    "coordinator": 200,
    "institution_admin": 200,
    "other_admin": 200,
    "school_referent": 200,
}
COORDINATOR_EDITS = {**dict.fromkeys(SIGNATORY_USERS, 403), "coordinator": 200}
VOLUNTEER_MANAGERS = {"case_manager": 200, "coordinator": 200}
SENDERS = {"school_referent": 200, "health_professional": 200, "team_member": 200}
CODESIGN_READERS = {**dict.fromkeys(SIGNATORY_USERS, 403), **{k: v for k, v in GOVERNANCE.items() if v == 200}}
CODESIGN_EDITS = {**dict.fromkeys(SIGNATORY_USERS, 403), "coordinator": 200}
CASE_MANAGER_ONLY = {"case_manager": 200, "health_professional": 403, "school_referent": 403, "team_member": 403}

# The foreigner is an institution administrator in Forlì, whose comune signed Forlì's own pact: the
# pact-level pages show Forlì's pact (200, or 403 for the coordinator's forms); Rimini's records stay 404.
# GET status per URL and persona. The objects are the Comune di Rimini (institution), the case
# manager's membership there and the case manager as a person. "foreigner" works in another district;
# "stranger" has an account and no valid role.
MATRIX = {
    "core:home": expect(200),
    "core:health": expect(200),
    # A background export is its requester's alone (the coordinator's report here); anyone else: 404.
    "core:export_status": expect(404, coordinator=200),
    "core:export_fragment": expect(404, coordinator=200),
    "core:export_download": expect(404, coordinator=200),
    "set_language": expect(302),
    "accounts:login": expect(302),
    "accounts:logout": expect(405),
    # The session warning's "Stay signed in": POST only, for every signed-in user (the idle timeout restarts).
    "accounts:keep_alive": expect(405),
    "accounts:password_reset": expect(200),
    "accounts:password_reset_done": expect(200),
    "accounts:password_reset_confirm": expect(200),
    "accounts:password_reset_complete": expect(200),
    "accounts:mfa_verify": expect(200),
    "accounts:mfa_enrol": expect(200),
    "accounts:mfa_recovery_codes": expect(405),
    "accounts:mfa_disable": expect(405),
    "accounts:switch_membership": expect(405),
    "accounts:profile": expect(200),
    "accounts:institution_list": expect(200, stranger=403),
    "accounts:institution_create": expect(403, admin=200),
    "accounts:institution_detail": expect(200, foreigner=404, stranger=404),
    "accounts:institution_edit": expect(403, admin=200, foreigner=404, stranger=404),
    "accounts:institution_people": expect(
        403, case_manager=200, coordinator=200, institution_admin=200, admin=200, foreigner=404, stranger=404
    ),
    "accounts:membership_add": expect(403, institution_admin=200, admin=200, foreigner=404, stranger=404),
    # The case manager and the coordinator see their colleague's membership but may not change it;
    # the case manager may never change their own.
    "accounts:membership_edit": expect(404, institution_admin=200, admin=200, case_manager=403, coordinator=403),
    "accounts:membership_end": expect(404, institution_admin=200, admin=200, case_manager=403, coordinator=403),
    # A new invitation (POST only): the administrators who see the membership, never for oneself.
    "accounts:invitation_resend": expect(405),
    "accounts:person_detail": expect(404, case_manager=200, coordinator=200, institution_admin=200, admin=200),
    # The trail: the district's auditor; the technical admin sees only platform events (no institution).
    "audit:trail": expect(403, auditor=200, admin=200),
    # The DPO's answers to the Garante's question: who accessed a family, a person; the subject-access report.
    "audit:access_search": expect(403, auditor=200),
    "audit:family_accesses": expect(403, auditor=200),
    "audit:family_accesses_xlsx": expect(403, auditor=200),
    "audit:person_accesses": expect(403, auditor=200),
    "audit:person_accesses_xlsx": expect(403, auditor=200),
    "audit:signal_accesses": expect(403, auditor=200),
    "audit:signal_accesses_xlsx": expect(403, auditor=200),
    "audit:person_report": expect(403, auditor=200),
    "audit:person_report_pdf": expect(403, auditor=200),
    # Step-up: asking for the password again is open to every signed-in user.
    "accounts:confirm_password": expect(200),
    # The family path: its team sees it; only the case manager acts on it; nobody else knows it exists.
    "cases:path_list": expect(200),
    # Only a social worker of an institution in standing opens a path (the second comune never signed).
    "cases:path_create": expect(403, case_manager=200),
    # Closed paths are read through a reasoned archive access by the social service.
    "cases:archive_open": expect(403, case_manager=200),
    "cases:person_search": expect(200),
    # The full lists behind the home page's cards: each shows the user's own items, which may be none.
    "cases:time_points_due": expect(200),
    "cases:my_tasks": expect(200),
    "cases:my_actions": expect(200),
    "cases:my_meetings": expect(200),
    "cases:path_detail": expect(404, **TEAM_OK),
    # A section of the path page, loaded on demand (the notes here; every section: cases/tests/test_sections.py).
    "cases:path_section": expect(404, **TEAM_OK),
    # The rest of the path page, for htmx (one request for its on-demand sections); asked outside htmx: the page.
    "cases:path_sections": expect(404, **dict.fromkeys(TEAM_OK, 302)),
    "cases:path_advance": expect(404, **CASE_MANAGER_ONLY),
    "cases:path_agreement": expect(404, **CASE_MANAGER_ONLY),
    # The signed agreement (none yet in the fixture, hence 404 once allowed): the team but not the school.
    "cases:agreement_document": expect(404, school_referent=403),
    "cases:path_close": expect(404, **CASE_MANAGER_ONLY),
    "cases:path_reopen": expect(404, **CASE_MANAGER_ONLY),
    "cases:person_add": expect(404, **CASE_MANAGER_ONLY),
    "cases:team_add": expect(404, **CASE_MANAGER_ONLY),
    "cases:team_end": expect(404, **CASE_MANAGER_ONLY),
    "cases:consent_add": expect(404, **CASE_MANAGER_ONLY),
    "cases:consent_withdraw": expect(404, **CASE_MANAGER_ONLY),
    "cases:note_add": expect(405),
    "cases:assessment_edit": expect(404, **TEAM_NOT_SCHOOL),
    "cases:comparison": expect(404, **TEAM_NOT_SCHOOL),
    "cases:prepost_edit": expect(404, **TEAM_NOT_SCHOOL),
    "cases:plan": expect(404, **TEAM_NOT_SCHOOL),
    "cases:goal_add": expect(405),
    "cases:goal_edit": expect(404, **TEAM_NOT_SCHOOL),
    "cases:action_add": expect(404, **TEAM_NOT_SCHOOL),
    # Removing an action is confirmed on its own page (with a reason), like leaving the team.
    "cases:action_remove": expect(404, **TEAM_NOT_SCHOOL),
    "cases:plan_print": expect(404, **TEAM_NOT_SCHOOL),
    "cases:plan_pdf": expect(404, **TEAM_NOT_SCHOOL),
    "cases:device_add": expect(404, **CASE_MANAGER_ONLY),
    "cases:device_edit": expect(404, **CASE_MANAGER_ONLY),
    "cases:session_add": expect(405),
    # The register of volunteers: the district's social workers and the pact coordinator.
    "cases:volunteer_list": expect(403, **VOLUNTEER_MANAGERS),
    "cases:volunteer_add": expect(403, **VOLUNTEER_MANAGERS),
    "cases:volunteer_edit": expect(404, **VOLUNTEER_MANAGERS),
    "cases:meeting_add": expect(404, **TEAM_NOT_SCHOOL),
    # The school referent attends this meeting, so sees it (and its minutes) but cannot write them.
    "cases:meeting_detail": expect(404, **TEAM_OK),
    # The meeting for a calendar app: whoever may open the meeting (the teacher attends this one).
    "cases:meeting_ics": expect(404, **TEAM_OK),
    # Whoever schedules the path's meetings moves one still to be held; this one has been held (back to its page).
    "cases:meeting_change": expect(
        404, case_manager=302, health_professional=302, team_member=302, school_referent=403
    ),
    # The sites of a school, for the person forms (htmx): who registers children (opens paths, manages one).
    "cases:school_sites": expect(403, case_manager=200),
    # The assessment framework (reference data, no personal data).
    "cases:framework": expect(200),
    "cases:task_done": expect(405),
    # Cohorts: the coordinator manages them; social workers read them; no personal data in them.
    # The outsider's comune never signed the pact: no standing, no district-wide screens.
    "cases:cohort_list": expect(403, coordinator=200, case_manager=200),
    "cases:cohort_add": expect(403, coordinator=200),
    "cases:cohort_edit": expect(404, coordinator=200, case_manager=403),
    "cases:catalogues": expect(403, coordinator=200, case_manager=200),
    "cases:catalogue_add": expect(403, coordinator=200),
    "cases:catalogue_edit": expect(403, coordinator=200),
    # The Pact: the text in force for every user of a signatory (Comune, school, AUSL, cooperative);
    # governance content for their governance roles; the coordinator edits; nobody else knows it.
    "governance:pact": expect(404, **{**SIGNATORY_USERS, "foreigner": 200}),
    "governance:signatories": expect(404, **{**SIGNATORY_USERS, "foreigner": 200}),
    "governance:versions": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:version_detail": expect(404, **GOVERNANCE),
    "governance:version_compare": expect(404, **GOVERNANCE),
    "governance:commitments": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:periods": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:period_report": expect(404, **GOVERNANCE),
    "governance:version_draft": expect(405),
    "governance:period_open": expect(405),
    "governance:period_close": expect(405),
    "governance:section_edit": expect(404, **COORDINATOR_EDITS),
    "governance:commitment_add": expect(404, **COORDINATOR_EDITS),
    "governance:commitment_edit": expect(404, **COORDINATOR_EDITS),
    "governance:version_approve": expect(404, **COORDINATOR_EDITS),
    # The coordinator submits the draft for approval; it is not submitted, so nobody can withdraw it.
    "governance:version_submit": expect(404, **COORDINATOR_EDITS),
    "governance:version_withdraw": expect(404, **dict.fromkeys(SIGNATORY_USERS, 403)),
    "governance:adhesion_add": expect(404, **{**COORDINATOR_EDITS, "foreigner": 403}),
    "governance:adhesion_withdraw": expect(404, **COORDINATOR_EDITS),
    "governance:adhesion_attach": expect(404, **COORDINATOR_EDITS),
    # A signed adhesion (or evidence): the governance roles of the signatories download it.
    "governance:document": expect(404, **GOVERNANCE),
    # The Comune's commitment: its governance members and the coordinator update it; the school's head
    # reads it but cannot.
    "governance:commitment_status": expect(404, **{**GOVERNANCE, "other_admin": 403, "school_referent": 403}),
    "governance:bodies": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:dashboard": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:procedures": expect(404, **{**SIGNATORY_USERS, "foreigner": 200}),
    "governance:procedure": expect(404, **SIGNATORY_USERS),
    "governance:procedure_add": expect(404, **{**COORDINATOR_EDITS, "foreigner": 403}),
    "governance:calendar_settings": expect(404, **{**GOVERNANCE, "foreigner": 200}),
    "governance:calendar_feed": expect(404),
    "governance:publication": expect(405),
    "public_pact": expect(404),  # not published in the fixture
    "governance:indicator_add": expect(404, **COORDINATOR_EDITS),
    "governance:indicator_value": expect(404, **{**GOVERNANCE, "other_admin": 403, "school_referent": 403}),
    "governance:period_report_pdf": expect(404, **GOVERNANCE),
    "governance:period_report_xlsx": expect(404, **GOVERNANCE),
    "governance:pact_pdf": expect(404, **SIGNATORY_USERS),
    "governance:body_add": expect(405),
    "governance:body_detail": expect(404, **GOVERNANCE),
    "governance:body_meeting_add": expect(404, **COORDINATOR_EDITS),
    "governance:body_meeting": expect(404, **GOVERNANCE),
    # The coordinator moves a meeting still to be held; this one was held in March (back to its page).
    "governance:body_meeting_change": expect(404, **{**COORDINATOR_EDITS, "coordinator": 302}),
    "governance:minutes_approve": expect(405),
    "governance:meeting_ics": expect(404, **GOVERNANCE),
    "governance:minutes_pdf": expect(404, **GOVERNANCE),
    "governance:action_item_status": expect(405),
    # Notifications: everyone's own inbox and choices; anyone else's notification is not there (404); the
    # e-mails not sent are the technical administrator's.
    "notifications:inbox": expect(200),
    "notifications:open": expect(404, case_manager=302),
    "notifications:read_all": expect(405),
    "notifications:preferences": expect(200),
    "notifications:emails": expect(403, admin=200),
    "notifications:email_retry": expect(405),
    # Requests: the receiving service's inbox (a social worker, a head of service, at an institution in the pact);
    # the senders' list and forms (schools, educational services, health professionals, in the pact).
    "referrals:inbox": expect(403, case_manager=200),
    "referrals:sent": expect(403, **SENDERS),
    "referrals:consultation_create": expect(403, **SENDERS),
    "referrals:signal_create": expect(403, **SENDERS),
    "referrals:school_sites": expect(403, **SENDERS),
    # The school's signal: its sender and the Comune's social worker who handles it; nobody else knows it.
    "referrals:detail": expect(404, case_manager=200, school_referent=200),
    "referrals:attachment": expect(404, case_manager=200, school_referent=200),
    **dict.fromkeys(REQUEST_URLS - {"referrals:detail"}, expect(405)),
    # From the family's path, the case manager asks another institution for a professional, or hands it over.
    "referrals:path_professional": expect(404, **CASE_MANAGER_ONLY),
    "referrals:path_transfer": expect(404, **CASE_MANAGER_ONLY),
    # The district's figures: the coordinator by role, the Comune's administrator by a grant; nobody else.
    "monitoring:index": expect(403, coordinator=200, institution_admin=200),
    "monitoring:grants": expect(403, coordinator=200),
    "monitoring:grant_revoke": expect(405),
    # Programme monitoring: aggregates of the district's paths, for the same readers as the front page.
    "monitoring:programme": expect(403, coordinator=200, institution_admin=200),
    # The needs analysis: the same readers; only the coordinator attaches the report and publishes open data.
    "monitoring:needs": expect(403, coordinator=200, institution_admin=200),
    "monitoring:needs_report": expect(403, coordinator=200, institution_admin=200),
    "monitoring:needs_report_pdf": expect(403, coordinator=200, institution_admin=200),
    "monitoring:needs_report_attach": expect(405),
    "monitoring:open_data": expect(403, coordinator=200),
    "monitoring:open_data_withdraw": expect(405),
    # The territory: the district's comuni (the coordinator, who also maps the comuni of residence, and the
    # technical administrator, who reads only the comuni); schools' pupils (also the school's administrator,
    # who enters its own). Institutions in standing only (the technical administrator's is a platform role).
    "territory:comuni": expect(403, coordinator=200, admin=200),
    "territory:map_residence": expect(405),
    "territory:enrolment": expect(403, coordinator=200, admin=200, other_admin=200),
    # The map of the offer (counts only): the team and governance roles of a district in standing (Forlì's
    # administrator sees Forlì's, empty); only the coordinator edits. Waiting entries are about a family: only who
    # sees its path in full (not the school) knows them; only the case manager acts.
    "offer:map": expect(403, **SIGNATORY_USERS, foreigner=200),
    "offer:offer_add": expect(403, coordinator=200),
    "offer:offer_edit": expect(403, coordinator=200, foreigner=404),
    # The team roles of an institution in standing (the menu shows it to them); the list holds what they see.
    "offer:waiting_list": expect(403, case_manager=200, health_professional=200, team_member=200),
    "offer:waiting_add": expect(404, **CASE_MANAGER_ONLY),
    "offer:waiting_withdraw": expect(404, case_manager=200, health_professional=403, team_member=403),
    "offer:waiting_activate": expect(404, case_manager=200, health_professional=403, team_member=403),
    # Co-design: known to the district's people in standing, read by its governance roles, managed by the
    # coordinator.
    "offer:codesign_list": expect(403, **GOVERNANCE, foreigner=200),
    "offer:codesign_add": expect(403, coordinator=200),
    "offer:codesign_detail": expect(404, **CODESIGN_READERS),
    "offer:codesign_edit": expect(404, **CODESIGN_EDITS),
    "offer:codesign_advance": expect(405),
    "offer:codesign_capacity": expect(405),
    "offer:codesign_document": expect(405),
    "offer:codesign_meeting_phase": expect(405),
    "offer:codesign_document_download": expect(404, **CODESIGN_READERS),
    # Funds and partnerships: the governance roles of the signatories read (other signatory users 403); the
    # coordinator records calls, proposals and projects; the lead's referent (the Comune's administrator here)
    # moves its proposal on and keeps its project's books. Forlì's administrator reads Forlì's lists.
    "funding:calls": expect(404, **GOVERNANCE, foreigner=200),
    "funding:projects": expect(404, **GOVERNANCE, foreigner=200),
    "funding:call_add": expect(404, **COORDINATOR_EDITS, foreigner=403),
    "funding:call": expect(404, **GOVERNANCE),
    "funding:proposal_add": expect(404, **COORDINATOR_EDITS),
    "funding:proposal": expect(404, **GOVERNANCE),
    "funding:project_add": expect(404, **COORDINATOR_EDITS),
    "funding:project": expect(404, **GOVERNANCE),
    "funding:expenditure_add": expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    "funding:report": expect(404, **GOVERNANCE),
    "funding:report_pdf": expect(404, **GOVERNANCE),
    "funding:report_xlsx": expect(404, **GOVERNANCE),
    "funding:document": expect(404, **GOVERNANCE),
    "funding:milestone_reached": expect(405),
    # Edits: a partner's share while the proposal is a draft (the coordinator); a project's lines, milestones and
    # expenditure (the coordinator and the lead's referent). Removals and cancellations are POSTs.
    "funding:partner_edit": expect(404, **COORDINATOR_EDITS),
    **dict.fromkeys(
        ("funding:budget_line_edit", "funding:milestone_edit", "funding:expenditure_edit"),
        expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    ),
    **dict.fromkeys(
        (
            "funding:partner_remove",
            "funding:budget_line_remove",
            "funding:milestone_remove",
            "funding:expenditure_cancel",
        ),
        expect(405),
    ),
    **dict.fromkeys(
        (
            "funding:partner_add",
            "funding:partner_confirm",
            "funding:proposal_status",
            "funding:proposal_agreement",
            "funding:budget_line_add",
            "funding:milestone_add",
        ),
        expect(405),
    ),
    # The legal help desk: the school referent asks (its institution's questions); the legal office (not a persona
    # here) answers; nobody else knows the question (404), the coordinator included. FAQs and templates: the
    # district's school and educational staff, the legal office and the coordinator, who also manages templates.
    "helpdesk:questions": expect(403, school_referent=200),
    "helpdesk:ask": expect(403, school_referent=200),
    "helpdesk:question": expect(404, school_referent=200),
    **dict.fromkeys(QUESTION_URLS - {"helpdesk:question", "helpdesk:publish"}, expect(405)),
    "helpdesk:publish": expect(404, school_referent=403),
    "helpdesk:faqs": expect(403, school_referent=200, coordinator=200),
    "helpdesk:faq": expect(404, school_referent=200, coordinator=200),
    "helpdesk:faq_publication": expect(405),
    "helpdesk:templates": expect(403, school_referent=200, coordinator=200),
    "helpdesk:template_add": expect(403, coordinator=200),
    "helpdesk:template": expect(404, school_referent=200, coordinator=200),
    "helpdesk:template_file": expect(404, school_referent=200, coordinator=200),
    # Public once published; nothing is published in the fixture.
    "open_data_public": expect(404),
    "open_data_csv": expect(404),
}


def test_matrix_covers_every_url():
    assert set(MATRIX) == all_url_names()


@pytest.mark.parametrize("persona", ALL)
def test_permission_matrix(persona, objects, login):
    client = login(persona)
    mismatches = {}
    for name, expected in MATRIX.items():
        status = client.get(sample_url(name, objects)).status_code
        if status != expected[persona]:
            mismatches[name] = (expected[persona], status)
    assert mismatches == {}


def test_unknown_uuid_is_404_like_a_hidden_person(login, personas):
    client = login("outsider")
    hidden = client.get(reverse("accounts:person_detail", kwargs={"pk": personas["case_manager"].user_id}))
    missing = client.get(reverse("accounts:person_detail", kwargs={"pk": uuid.uuid4()}))
    assert hidden.status_code == missing.status_code == 404
    assert _without_tokens(hidden) == _without_tokens(missing)


def _without_tokens(response):
    body = response.content.decode().replace(response["X-Request-ID"], "").replace(response.request["PATH_INFO"], "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


READ_LOG_MODELS = {"audit.auditevent", "audit.auditsubject", "sessions.session"}


def _row_counts():
    from django.apps import apps

    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in READ_LOG_MODELS
    }


@pytest.mark.parametrize("persona", ["institution_admin", "admin", "auditor"])
def test_no_get_request_writes_anything_but_the_access_log(persona, objects, login):
    client = login(persona)
    before = _row_counts()
    for name in MATRIX:
        client.get(sample_url(name, objects))
    assert _row_counts() == before


def test_state_changes_need_a_csrf_token(personas, objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["institution_admin"].user)
    for name in (
        "accounts:membership_end",
        "accounts:membership_edit",
        "accounts:membership_add",
        "accounts:logout",
        "accounts:switch_membership",
        "accounts:mfa_disable",
    ):
        assert client.post(sample_url(name, objects), {"reason": "x"}).status_code == 403, name


# --- The POST matrix: every route × every persona, with real sample objects -------------------------------
# An empty POST is enough to show who gets past fetch-and-authorise: 404 not visible, 403 not allowed,
# otherwise the form answers (200 with its errors) or the action is done (302). Where a POST answers
# differently from a GET, the row says so.
POST_MATRIX = {
    "cases:path_section": expect(405),  # a section of the path page: read only
    "cases:path_sections": expect(405),
    # Turning MFA off asks for the password again first (step-up).
    "accounts:mfa_disable": expect(302),
    "accounts:keep_alive": expect(200),
    # The case manager has chosen a password: the administrators are told so (302 with a message).
    "accounts:invitation_resend": expect(404, institution_admin=302, admin=302, case_manager=403, coordinator=403),
    "accounts:mfa_recovery_codes": expect(403),
    "accounts:switch_membership": expect(403),
    "core:export_status": expect(405),
    "monitoring:index": expect(405),
    "monitoring:grant_revoke": expect(403, coordinator=302),
    "monitoring:programme": expect(405),
    "monitoring:needs": expect(405),
    "monitoring:needs_report": expect(405),
    "monitoring:needs_report_pdf": expect(405),
    # An empty form: the coordinator gets it back with its errors; readers of the figures may not act.
    "monitoring:needs_report_attach": expect(403, coordinator=400),
    "monitoring:open_data": expect(403, coordinator=400),
    "monitoring:open_data_withdraw": expect(403, coordinator=404),
    # Read-only pages of the offer refuse a POST; an empty co-design step comes back to the coordinator (400).
    "offer:map": expect(405),
    "offer:waiting_list": expect(405),
    "offer:codesign_list": expect(405),
    "offer:codesign_detail": expect(405),
    "offer:codesign_document_download": expect(405),
    "offer:codesign_advance": expect(404, **{**CODESIGN_EDITS, "coordinator": 400}),
    "offer:codesign_capacity": expect(404, **{**CODESIGN_EDITS, "coordinator": 400}),
    "offer:codesign_document": expect(404, **{**CODESIGN_EDITS, "coordinator": 400}),
    "offer:codesign_meeting_phase": expect(404, **{**CODESIGN_EDITS, "coordinator": 400}),
    # An empty mapping goes back to the comuni page with a message (the coordinator only: a write on people);
    # only the school's administrator enters pupils.
    "territory:map_residence": expect(403, coordinator=302),
    "territory:enrolment": expect(403, other_admin=200),
    "core:export_fragment": expect(405),
    "core:export_download": expect(405),
    "audit:family_accesses": expect(405),
    "audit:family_accesses_xlsx": expect(405),
    "audit:person_accesses": expect(405),
    "audit:person_accesses_xlsx": expect(405),
    "audit:signal_accesses": expect(405),
    "audit:signal_accesses_xlsx": expect(405),
    "audit:person_report": expect(405),
    "audit:person_report_pdf": expect(405),
    # Read-only pages refuse a POST.
    "audit:trail": expect(405),
    # The confirmation without a reason: the form asks for it (200); the school may not; nobody else knows the path.
    "cases:action_remove": expect(404, case_manager=200, school_referent=403, health_professional=200, team_member=200),
    "cases:framework": expect(405),
    "cases:meeting_ics": expect(405),
    "cases:school_sites": expect(405),
    "notifications:inbox": expect(405),
    "notifications:open": expect(405),
    "notifications:read_all": expect(302),
    "notifications:emails": expect(405),
    "notifications:email_retry": expect(403, admin=302),
    # The request's actions, POSTed empty: the handler (the case manager) and the sender get the form back with
    # its errors (200) where the action is theirs and fits a signal, 403 where not; nobody else knows it (404).
    "referrals:school_sites": expect(405),
    "referrals:assign": expect(404, case_manager=403, school_referent=403),
    "referrals:message": expect(404, case_manager=200, school_referent=200),
    "referrals:ask_information": expect(404, case_manager=200, school_referent=403),
    "referrals:provide_information": expect(404, case_manager=403, school_referent=200),
    "referrals:answer": expect(404, case_manager=403, school_referent=403),
    "referrals:no_intervention": expect(404, case_manager=200, school_referent=403),
    "referrals:forward": expect(404, case_manager=200, school_referent=403),
    "referrals:take_in_charge": expect(404, case_manager=200, school_referent=403),
    "referrals:accept": expect(404, case_manager=403, school_referent=403),
    "referrals:decline": expect(404, case_manager=403, school_referent=403),
    "referrals:withdraw": expect(404, case_manager=403, school_referent=200),
    # The help desk's question (answered): only the asker's side closes it (the empty form comes back, 200); the
    # legal office's actions are not the school's (403); nobody else knows it (404). The FAQ and the template:
    # only the legal office edits an FAQ; the coordinator revises a template (the empty form comes back).
    "helpdesk:questions": expect(405),
    "helpdesk:question": expect(405),
    "helpdesk:assign": expect(404, school_referent=403),
    "helpdesk:ask_clarification": expect(404, school_referent=403),
    "helpdesk:give_clarification": expect(404, school_referent=403),
    "helpdesk:answer": expect(404, school_referent=403),
    "helpdesk:close": expect(404, school_referent=200),
    "helpdesk:faqs": expect(405),
    "helpdesk:faq": expect(404, school_referent=403, coordinator=403),
    "helpdesk:faq_publication": expect(404, school_referent=403, coordinator=403),
    "helpdesk:templates": expect(405),
    "helpdesk:template": expect(404, school_referent=403, coordinator=200),
    "helpdesk:template_file": expect(405),
    # Only the case manager attaches the signed agreement (none recorded in the fixture: 404).
    "cases:agreement_document": expect(404, school_referent=403, health_professional=403, team_member=403),
    "cases:goal_add": expect(404, case_manager=200, school_referent=403, health_professional=200, team_member=200),
    "cases:meeting_detail": expect(
        404, case_manager=200, school_referent=403, health_professional=200, team_member=200
    ),
    "cases:note_add": expect(404, case_manager=200, school_referent=200, health_professional=200, team_member=200),
    "cases:session_add": expect(404, case_manager=200, school_referent=403, health_professional=200, team_member=200),
    # Only the task's assignee marks it done; to anyone else the task is not there.
    "cases:task_done": expect(404, case_manager=302),
    # The coordinator (the item's owner here) changes it; other governance members 403.
    "governance:action_item_status": expect(
        403, coordinator=302, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    "governance:body_add": expect(403, coordinator=200, outsider=404, admin=404, auditor=404, stranger=404),
    "governance:body_detail": expect(
        403, coordinator=200, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    "governance:body_meeting": expect(
        403, coordinator=200, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    "governance:minutes_approve": expect(
        403, coordinator=302, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    "governance:period_close": expect(
        403, coordinator=302, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    "governance:period_open": expect(403, coordinator=200, outsider=404, admin=404, auditor=404, stranger=404),
    # The owner institution's admin revises the text; the coordinator everything.
    "governance:procedure": expect(
        403, coordinator=200, institution_admin=200, outsider=404, admin=404, auditor=404, foreigner=404, stranger=404
    ),
    # Funds: read-only pages refuse a POST; an empty form comes back with its errors (200) to who may act.
    **dict.fromkeys(
        (
            "funding:calls",
            "funding:projects",
            "funding:proposal",
            "funding:project",
            "funding:report",
            "funding:report_pdf",
            "funding:report_xlsx",
            "funding:document",
        ),
        expect(405),
    ),
    "funding:call": expect(404, **COORDINATOR_EDITS),
    "funding:partner_add": expect(404, **COORDINATOR_EDITS),
    # The school's referents may confirm the school's participation; nobody else may. An empty POST names no
    # agreement read, so it confirms nothing: the conflict page (409), asking to read the document and confirm.
    "funding:partner_confirm": expect(
        404, **{**dict.fromkeys(SIGNATORY_USERS, 403), "school_referent": 409, "other_admin": 409}
    ),
    "funding:proposal_status": expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    "funding:proposal_agreement": expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    "funding:budget_line_add": expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    "funding:milestone_add": expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    # The value reached by a milestone entered by hand: saved (302; empty means not known yet).
    "funding:milestone_reached": expect(404, **{**COORDINATOR_EDITS, "coordinator": 302, "institution_admin": 302}),
    # Edit pages: an empty form comes back with its errors (200); a removal without the version shown goes back
    # to the edit page (302); an empty cancellation comes back asking for its reason (200).
    "funding:partner_edit": expect(404, **COORDINATOR_EDITS),
    "funding:partner_remove": expect(404, **{**COORDINATOR_EDITS, "coordinator": 302}),
    **dict.fromkeys(
        (
            "funding:budget_line_edit",
            "funding:milestone_edit",
            "funding:expenditure_edit",
            "funding:expenditure_cancel",
        ),
        expect(404, **{**COORDINATOR_EDITS, "institution_admin": 200}),
    ),
    **dict.fromkeys(
        ("funding:budget_line_remove", "funding:milestone_remove"),
        expect(404, **{**COORDINATOR_EDITS, "coordinator": 302, "institution_admin": 302}),
    ),
    "governance:publication": expect(403, coordinator=302, outsider=404, admin=404, auditor=404, stranger=404),
    "governance:version_draft": expect(403, coordinator=302, outsider=404, admin=404, auditor=404, stranger=404),
}


# The Comune's legal office (a governance role of the Comune, as its institution administrator: it reads the
# pact, the funds and the co-design, and as a referent of the lead institution it works on its projects) neither
# administers people nor reads the monitoring's aggregates; it answers the schools' help desk. Its column is
# the administrator's but for these URLs. The sample question is already answered and published, so the
# answering steps are refused (403) and a publication change without a version is a conflict (409).
LEGAL_OFFICE_GET = {
    **dict.fromkeys(("accounts:membership_add", "accounts:membership_edit", "accounts:membership_end"), 403),
    **dict.fromkeys(
        (
            "monitoring:index",
            "monitoring:needs",
            "monitoring:needs_report",
            "monitoring:needs_report_pdf",
            "monitoring:programme",
        ),
        403,
    ),
    **dict.fromkeys(
        (
            "helpdesk:questions",
            "helpdesk:question",
            "helpdesk:faqs",
            "helpdesk:faq",
            "helpdesk:templates",
            "helpdesk:template",
            "helpdesk:template_add",
            "helpdesk:template_file",
        ),
        200,
    ),
    "helpdesk:publish": 403,
}
LEGAL_OFFICE_POST = {
    **dict.fromkeys(
        (
            "accounts:invitation_resend",
            "accounts:membership_add",
            "accounts:membership_edit",
            "accounts:membership_end",
        ),
        403,
    ),
    **dict.fromkeys(
        (
            "helpdesk:assign",
            "helpdesk:ask_clarification",
            "helpdesk:give_clarification",
            "helpdesk:answer",
            "helpdesk:publish",
        ),
        403,
    ),
    **dict.fromkeys(("helpdesk:close", "helpdesk:faq", "helpdesk:template", "helpdesk:template_add"), 200),
    "helpdesk:faq_publication": 409,
}
MATRIX = {
    name: {**table, "legal_office": LEGAL_OFFICE_GET.get(name, table["institution_admin"])}
    for name, table in MATRIX.items()
}


def post_expectation(name):
    table = dict(POST_MATRIX.get(name, MATRIX[name]))
    table["legal_office"] = LEGAL_OFFICE_POST.get(name, table["institution_admin"])
    return table


@pytest.mark.parametrize("persona", ALL)
def test_post_matrix(persona, objects, login):
    import os

    client = login(persona)
    mismatches = {}
    for name in sorted(MATRIX):
        if name in PUBLIC or name in ("accounts:logout", "set_language"):
            continue
        status = client.post(sample_url(name, objects), {}).status_code
        if os.environ.get("PATTO_DUMP_POST"):
            print("POST", persona, name, status)
        expected = post_expectation(name)[persona]
        if status != expected:
            mismatches[name] = (expected, status)
    assert mismatches == {}
