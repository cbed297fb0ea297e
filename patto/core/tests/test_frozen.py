"""Issue 13, close to the floor: the queries every page asks (seats, memberships, standing) are compiled once a
day per thread (``core.frozen``) and run afresh each time, with the user's id in the sentinel's places.

What must hold: the same rows as the ORM's own query, for every user; a change in the data seen by the next
use (nothing the database answers is kept); compiled again for another day; an id that never reaches the
statement refused at once; on PostgreSQL, the statement prepared by the server after a few uses (server-side
binding: not planned again)."""

import os
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, Q
from django.db.models.sql import compiler as sql_compiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patto.accounts.models import Membership, User, _current_memberships
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.cases.queries import _seat_rows
from patto.core.frozen import FrozenQuery, _padded, forget_all
from patto.governance.models import Adhesion
from patto.governance.queries import _standing_of

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = (
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    or os.environ.get("PATTO_EXPECT_DATABASE") == "postgresql"
)


@pytest.fixture(autouse=True)
def _fresh_statements():
    forget_all()
    yield
    forget_all()


def _counting(build):
    calls = []

    def counted(day, **ids):
        calls.append(day)
        return build(day, **ids)

    return counted, calls


def _compilations():
    """How many statements Django compiles (top-level ``as_sql`` calls) while the block runs."""
    counter = {"n": 0, "depth": 0}
    original = sql_compiler.SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        counter["depth"] += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            counter["depth"] -= 1
            if counter["depth"] == 0:
                counter["n"] += 1

    return counter, original, counting


@pytest.mark.parametrize(
    "name,build,expected",
    [
        ("memberships", _current_memberships, lambda rows: [(m.pk, m.institution.district_id) for m in rows]),
        ("standing", _standing_of, sorted),
        ("seats", _seat_rows, lambda rows: sorted(rows, key=repr)),
    ],
)
def test_the_same_rows_as_the_orm_for_every_user_and_compiled_once(personas, family_path, name, build, expected):
    build_counted, calls = _counting(build)
    frozen = FrozenQuery(f"test.{name}", build_counted, {"user_id": uuid.UUID})
    today = timezone.localdate()
    users = list(User.objects.order_by("username"))
    counter, original, counting = _compilations()
    sql_compiler.SQLCompiler.as_sql = counting
    try:
        for user in users:
            assert expected(frozen.rows(user_id=user.pk)) == expected(list(build(today, user_id=user.pk)))
        counter["n"] = 0
        for user in users:
            frozen.rows(user_id=user.pk)
    finally:
        sql_compiler.SQLCompiler.as_sql = original
    assert calls == [today]  # built and compiled for the first user only
    assert counter["n"] == 0  # the second round: not one compilation
    assert any(frozen.rows(user_id=user.pk) for user in users)  # the worlds compared are not all empty


def test_a_change_is_seen_by_the_next_use(personas, world):
    user = personas["case_manager"].user
    frozen = FrozenQuery("test.memberships", _current_memberships, {"user_id": uuid.UUID})
    before = frozen.rows(user_id=user.pk)
    added = MembershipFactory(user=user, institution=world.coop, role=Role.EDUCATOR)
    assert {m.pk for m in frozen.rows(user_id=user.pk)} == {m.pk for m in before} | {added.pk}
    Membership.objects.filter(pk=added.pk).update(ended_at=timezone.now())
    assert {m.pk for m in frozen.rows(user_id=user.pk)} == {m.pk for m in before}

    standing = FrozenQuery("test.standing", _standing_of, {"user_id": uuid.UUID})
    assert list(standing.rows(user_id=user.pk)) == [world.comune.pk]
    Adhesion.objects.filter(institution=world.comune).update(withdrawn_on=timezone.localdate())
    assert list(standing.rows(user_id=user.pk)) == []


def test_compiled_again_for_another_day(personas):
    user = personas["case_manager"].user
    build, calls = _counting(_current_memberships)
    frozen = FrozenQuery("test.days", build, {"user_id": uuid.UUID})
    today = timezone.localdate()
    Membership.objects.filter(user=user).update(valid_to=today)
    assert frozen.rows(user_id=user.pk, day=today)
    assert frozen.rows(user_id=user.pk, day=today + timedelta(days=1)) == []  # the day is in the statement
    assert frozen.rows(user_id=user.pk, day=today)
    assert calls == [today, today + timedelta(days=1)]


def test_an_id_that_never_reaches_the_statement_is_refused(personas):
    user = personas["case_manager"].user
    ignoring = FrozenQuery(
        "test.ignoring", lambda day, user_id: User.objects.filter(is_active=True), {"user_id": uuid.UUID}
    )
    with pytest.raises(ImproperlyConfigured):
        ignoring.rows(user_id=user.pk)
    frozen = FrozenQuery("test.memberships", _current_memberships, {"user_id": uuid.UUID})
    with pytest.raises(TypeError):
        frozen.rows(institution_id=1)
    counted = FrozenQuery(
        "test.int",
        lambda day, institution_id: Membership.objects.filter(institution_id=institution_id),
        {"institution_id": int},
    )
    with pytest.raises(TypeError):
        counted.rows(institution_id="1")
    with pytest.raises(ImproperlyConfigured):
        FrozenQuery("test.date", lambda day, on: Membership.objects.none(), {"on": date})


def test_integer_ids_and_aggregates(personas, world):
    per_institution = FrozenQuery(
        "test.members_of",
        lambda day, institution_id: (
            Membership.objects.current(day)
            .filter(institution_id=institution_id)
            .values_list("role")
            .annotate(n=Count("pk"))
            .order_by("role")
        ),
        {"institution_id": int},
    )
    for institution in (world.comune, world.ausl, world.school):
        assert per_institution.rows(institution_id=institution.pk) == list(
            Membership.objects.current()
            .filter(institution=institution)
            .values_list("role")
            .annotate(n=Count("pk"))
            .order_by("role")
        )


def test_lists_of_ids_one_statement_for_each_length(personas, world, family_path):
    """A list variable (an ``__in``): the statement has one placeholder per id, so it is compiled once for each
    number of ids rounded up to a power of two, then reused for any ids of that number; a repeated id counts once;
    an empty list gives no rows without a query. Both kinds of key: integers (institutions) and UUIDs (users)."""
    build, calls = _counting(
        lambda day, ids, users: Membership.objects.filter(Q(institution_id__in=ids) | Q(user_id__in=users)).order_by(
            "pk"
        )
    )
    frozen = FrozenQuery("test.lists", build, {"ids": [int], "users": [uuid.UUID]})
    institutions = [world.comune.pk, world.ausl.pk, world.school.pk, world.coop.pk]
    people = list(User.objects.order_by("username").values_list("pk", flat=True)[:3])

    def orm(ids, users):
        return list(Membership.objects.filter(Q(institution_id__in=ids) | Q(user_id__in=users)).order_by("pk"))

    cases = [
        ([institutions[0]], []),
        (institutions[:2], people[:1]),
        (institutions[2:], people[1:2]),  # the same lengths, other ids: no new statement
        ([institutions[1], institutions[1]], []),  # one id twice: length 1, the first statement again
        ([], people),  # 3 users: the statement for 4 (the last one repeated)
        (institutions[:1], people[:1] + people[1:] * 2),  # 3 again once each: 4
        (institutions[1:], []),  # 3 institutions: 4
        (institutions, []),  # 4: the same statement
    ]
    expected = [orm(ids, users) for ids, users in cases]
    counter, original, counting = _compilations()
    sql_compiler.SQLCompiler.as_sql = counting
    try:
        answers = [frozen.rows(ids=ids, users=users) for ids, users in cases]
    finally:
        sql_compiler.SQLCompiler.as_sql = original
    assert answers == expected
    assert len(calls) == 5  # (1, 0), (2, 1), (0, 4), (1, 4), (4, 0)
    assert counter["n"] == 5
    assert all(expected)  # the worlds compared are not empty
    assert [len(_padded(list(range(n)))) for n in range(10)] == [0, 1, 2, 4, 4, 8, 8, 8, 8, 16]
    assert _padded([1, 2, 3]) == [1, 2, 3, 3]
    nothing = FrozenQuery(
        "test.nothing", lambda day, ids: Membership.objects.filter(institution_id__in=ids), {"ids": [int]}
    )
    with CaptureQueriesContext(connection) as captured:
        assert nothing.rows(ids=[]) == []
    assert captured.captured_queries == []
    with pytest.raises(ImproperlyConfigured):
        FrozenQuery("test.tuple", lambda day, ids: Membership.objects.none(), {"ids": (int,)})


def test_each_use_is_one_query(personas):
    user = personas["case_manager"].user
    frozen = FrozenQuery("test.memberships", _current_memberships, {"user_id": uuid.UUID})
    frozen.rows(user_id=user.pk)
    with CaptureQueriesContext(connection) as captured:
        frozen.rows(user_id=user.pk)
    assert len(captured.captured_queries) == 1
    assert user.pk.hex in captured.captured_queries[0]["sql"].replace("-", "")


if ON_POSTGRESQL:

    def test_on_postgresql_the_server_prepares_the_statement_after_a_few_uses(personas):
        """Server-side binding (settings: PATTO_DB_PREPARED, on by default): psycopg prepares a statement run 5
        times on a connection; PostgreSQL then stops planning it. The seats statement took 1–1.5 ms to plan."""
        assert connection.vendor == "postgresql"
        assert settings.DATABASES["default"]["OPTIONS"].get("server_side_binding") is True
        assert connection.connection.prepare_threshold == 5
        user = personas["case_manager"].user
        frozen = FrozenQuery("test.seats", _seat_rows, {"user_id": uuid.UUID})
        for _use in range(6):
            frozen.rows(user_id=user.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("cases_teammember" in statement and "UNION ALL" in statement for statement in prepared)


def test_the_columns_converters_are_worked_out_once_per_statement(personas, world, monkeypatch):
    """Each use converts what the database answers as the ORM does (dates, times, keys, on SQLite from text),
    with the converters worked out once per statement: they depend only on its columns and the backend."""
    user = personas["case_manager"].user
    asked = []
    original = sql_compiler.SQLCompiler.get_converters

    def counted(self, expressions):
        asked.append(len(expressions))
        return original(self, expressions)

    monkeypatch.setattr(sql_compiler.SQLCompiler, "get_converters", counted)
    frozen = FrozenQuery("test.converted", _current_memberships, {"user_id": uuid.UUID})
    values = FrozenQuery(
        "test.converted_values",
        lambda day, user_id: Membership.objects.filter(user_id=user_id).values_list("pk", "user_id", "valid_from"),
        {"user_id": uuid.UUID},
    )
    for _ in range(3):
        rows = frozen.rows(user_id=user.pk)
        assert [(m.pk, m.user_id, m.valid_from, m.created_at) for m in rows] == [
            (m.pk, m.user_id, m.valid_from, m.created_at) for m in _current_memberships(None, user.pk)
        ]
        assert values.rows(user_id=user.pk) == list(
            Membership.objects.filter(user_id=user.pk).values_list("pk", "user_id", "valid_from")
        )
    orm_uses = 3 * 2  # the ORM's own queries above ask each time
    assert len(asked) == 2 + orm_uses
