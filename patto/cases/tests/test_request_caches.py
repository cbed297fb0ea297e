"""Issue 13, close to the floor: what one request learns about its user (standing, access to a path) is asked
once, shared by the menu, the predicates and the sections, and never outlives the request nor a change of
acting membership within it."""

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from patto.accounts.memo import memo
from patto.accounts.models import User
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.cases.queries import acting_in_standing, fetch_path, paths_visible_to, seats_in_force
from patto.governance.models import Adhesion
from patto.governance.queries import institutions_in_standing_of


def test_standing_comes_with_the_memberships_shared_through_the_lazy_wrappers_and_asked_again_on_switching(
    personas, world, django_assert_num_queries
):
    user = User.objects.get(username="case_manager")
    MembershipFactory(user=user, institution=world.comune_b, role=Role.SOCIAL_WORKER)  # no standing there
    wrapped = SimpleLazyObject(lambda: user)
    _ = user.current_memberships
    with django_assert_num_queries(0):
        assert institutions_in_standing_of(wrapped) == {world.comune.pk}
        assert acting_in_standing(user, (Role.SOCIAL_WORKER,)) is not None  # the same answer, no query
        assert memo(wrapped) is memo(user)
    outside = next(m for m in user.current_memberships if m.institution_id == world.comune_b.pk)
    user.act_as(outside.pk)
    assert "standing" not in memo(user)  # switching forgets what was learnt under the other membership
    with django_assert_num_queries(1):  # the memberships stay read; their standing is asked afresh
        assert acting_in_standing(user, (Role.SOCIAL_WORKER,)) is None
        assert institutions_in_standing_of(wrapped) == {world.comune.pk}


def test_standing_withdrawn_between_two_requests_counts_from_the_next(personas, world, login):
    client = login("case_manager")
    assert client.get(reverse("cases:cohort_list")).status_code == 200
    Adhesion.objects.filter(institution=world.comune).update(withdrawn_on=date(2026, 11, 1))
    assert client.get(reverse("cases:cohort_list")).status_code == 403


def test_the_built_visibility_query_is_answered_afresh(family_path, personas):
    """The querysets are built once a day, their answers never kept: a seat ended shows at the next query."""
    user = User.objects.get(username="case_manager")
    assert paths_visible_to(user).filter(pk=family_path.pk).exists()
    seats_in_force().filter(user=user, path=family_path).get()  # built and used
    family_path.team.filter(user=user).update(ended_at=timezone.now())
    assert not paths_visible_to(user).filter(pk=family_path.pk).exists()
    assert not seats_in_force().filter(user=user, path=family_path).exists()


def test_fetch_path_asks_the_access_once(family_path, personas, django_assert_num_queries):
    """The access computed to decide visibility is the one the permission check reads (no second seats query)."""
    user = User.objects.get(username="case_manager")
    _ = user.current_memberships
    _ = institutions_in_standing_of(user)
    # the seats, the path, its people; the access row (savepoint, event, subjects, release)
    with django_assert_num_queries(5):
        path = fetch_path(user, family_path.pk, "cases.change_path")
    assert "access_fetched" not in memo(user)
    assert path.family.members.all()  # fetched with the path


# --- The user's seats, read once per request ---------------------------------------------------------------


class _InRequest:
    """The request context the middleware sets (a request id): the seats are remembered only inside one."""

    def __enter__(self):
        from django.test import RequestFactory

        from patto.core import context

        self.token = context.start(RequestFactory().get("/"))
        return self

    def __exit__(self, *exc):
        from patto.core import context

        context.finish(self.token)


def test_the_seats_are_read_once_per_request_and_never_outside_one(family_path, personas, django_assert_num_queries):
    from patto.cases.queries import my_seats, people_visible_to

    user = User.objects.get(username="case_manager")
    assert my_seats(user) is None  # a command or a test calling queries: always the database
    with _InRequest():
        with django_assert_num_queries(1):
            seats = my_seats(user)
            assert my_seats(user) is seats  # the same answer, no query
        assert [s[0] for s in seats.seats] == [family_path.pk] and seats.archived == ()
        members = set(family_path.family.members.all())
        with django_assert_num_queries(2) as captured:  # the list, then the people: no seats query again
            assert list(paths_visible_to(user)) == [family_path]
            assert set(people_visible_to(user)) == members
        assert not any("cases_teammember" in q["sql"] for q in captured.captured_queries)


def test_a_write_in_the_request_reads_the_seats_again(family_path, personas, world):
    """Every write appends an audit event: what the request knew about the user's seats is read again after it
    (a seat given, ended or a consent withdrawn in the same request counts at once)."""
    from patto.audit.services import record_access, record_event
    from patto.cases.queries import my_seats

    user = User.objects.get(username="case_manager")
    with _InRequest():
        assert paths_visible_to(user).filter(pk=family_path.pk).exists()
        family_path.team.filter(user=user).update(ended_at=timezone.now())
        record_access(actor=user, action="cases.path.viewed", obj=family_path)  # a read: nothing changed
        assert paths_visible_to(user).filter(pk=family_path.pk).exists()  # still what was read
        record_event(actor=user, action="cases.team.member_ended", obj=family_path)  # a write
        assert not paths_visible_to(user).filter(pk=family_path.pk).exists()
        assert my_seats(user).seats == ()


def test_an_archive_access_is_among_the_seats_read(family_path, personas, world, django_assert_num_queries):
    from patto.accounts.tests.factories import UserFactory
    from patto.cases import services
    from patto.cases.models import ClosureOutcome
    from patto.cases.queries import full_view_path_ids, my_seats

    services.close_path(
        actor=personas["case_manager"].user,
        path=family_path,
        version=family_path.version,
        outcome=ClosureOutcome.objects.get(code="improved"),
        reason="Fine",
    )
    user = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER).user
    services.open_archive(actor=user, reference=family_path.family.reference, reason="Richiesta del tribunale")
    user = User.objects.get(pk=user.pk)
    path = family_path
    with _InRequest():  # opened within the request: the seats known before it are read again
        other = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER).user
        other = User.objects.get(pk=other.pk)
        assert not paths_visible_to(other).filter(pk=path.pk).exists()
        services.open_archive(actor=other, reference=path.family.reference, reason="Istanza di accesso agli atti")
        assert paths_visible_to(other).filter(pk=path.pk).exists()
    with _InRequest():
        with django_assert_num_queries(1):  # seats and archive accesses in one query
            seats = my_seats(user)
        assert seats.archived == (path.pk,) and path.pk in full_view_path_ids(user)
        assert list(paths_visible_to(user)) == [path]


def test_the_writing_seat_is_the_same_whatever_order_the_seats_were_read_in():
    """Two seats on one path that tie on "case manager first, a school's last" (a psychologist at the AUSL and
    at a cooperative): the seat written from, and so a note's institution and the trail's membership, must not
    depend on the order the database returned them in (the request's seats come from a UNION without order)."""
    from patto.accounts.models import Institution
    from patto.cases.models import TeamMember
    from patto.cases.queries import Access, Seat

    role = TeamMember.TeamRole.PSYCHOLOGIST
    ausl = Seat("p", 7, Institution.Kind.AUSL, role)
    coop = Seat("p", 3, Institution.Kind.THIRD_SECTOR, role)
    educator = Seat("p", 2, Institution.Kind.THIRD_SECTOR, TeamMember.TeamRole.EDUCATOR)
    school = Seat("p", 1, Institution.Kind.SCHOOL, TeamMember.TeamRole.TEACHER)
    for seats in ([ausl, coop, educator, school], [school, educator, coop, ausl], [coop, school, ausl, educator]):
        assert Access(seats=seats).writing_seat == educator  # by team role, then institution: always the same
    for seats in ([ausl, coop], [coop, ausl]):
        assert Access(seats=seats).writing_seat == coop
    manager = Seat("p", 9, Institution.Kind.COMUNE, TeamMember.TeamRole.CASE_MANAGER)
    assert Access(seats=[school, coop, manager]).writing_seat == manager


def test_a_services_event_is_written_from_a_seat_given_in_the_same_request(family_path, personas, world):
    """A service that gives a seat and writes an event from it before its audited write (accepting a request,
    reopening a path) finds the seat, even though the request read the user's seats a moment before."""
    from patto.accounts.tests.factories import UserFactory
    from patto.cases.models import PathEvent, TeamMember
    from patto.cases.queries import my_seats
    from patto.cases.services.path import _event

    educator = MembershipFactory(user=UserFactory(), institution=world.coop, role=Role.EDUCATOR).user
    with _InRequest():
        assert my_seats(educator).seats == ()  # read before the seat exists
        TeamMember.objects.create(
            path=family_path,
            user=educator,
            institution=world.coop,
            team_role=TeamMember.TeamRole.EDUCATOR,
            valid_from=timezone.localdate(),
        )
        _event(family_path, educator, "team.member_added")
    assert PathEvent.objects.filter(path=family_path, kind="team.member_added").latest("pk").institution == world.coop
