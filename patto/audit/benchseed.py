"""Audit rows in bulk for the benchmarks (``bench_audit``, ``bench_paths``): never used by the application."""

from datetime import timedelta

from django.db import connection


def insert_events(events, now, people, institutions, actions, span_days):
    """``events`` audit events (with one person concerned each, a user of ``people``) over the ``span_days``
    before ``now``: event g (1..n) at now − g/n × span; actor, institution, action, object and the person
    concerned cycle through their pools, so every filter keeps the same share of the rows at any size. Bulk
    SQL (PostgreSQL: one INSERT … SELECT over generate_series), for the benchmarks only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # seeding millions of rows; measuring keeps the app's
            cursor.execute(
                "INSERT INTO audit_auditevent (occurred_at, actor_id, actor_label, actor_institution_id, "
                "actor_role, action, object_type, object_id, request_id, user_agent, purpose, changes) "
                "SELECT %s::timestamptz - (g::float8 / %s) * (%s * interval '1 day'), (%s::uuid[])[1 + g %% %s], "
                "'bench', (%s::bigint[])[1 + g %% %s], 'social_worker', (%s::text[])[1 + (g / 7) %% %s], "
                "'cases.path', (g %% 5000)::text, '', 'bench', '', '{}'::jsonb "
                "FROM generate_series(1, %s) AS g",
                [
                    now,
                    events,
                    span_days,
                    people,
                    len(people),
                    institutions,
                    len(institutions),
                    list(actions),
                    len(actions),
                    events,
                ],
            )
            cursor.execute(
                "INSERT INTO audit_auditsubject (event_id, occurred_at, kind, subject_id) "
                "SELECT id, occurred_at, 'user', (%s::text[])[1 + (id * 13) %% %s] FROM audit_auditevent",
                [people, len(people)],
            )
        return
    step = timedelta(days=span_days) / events
    with connection.cursor() as cursor:
        for start in range(1, events + 1, 20_000):
            rows = [
                (
                    now - step * g,
                    people[g % len(people)].replace("-", ""),
                    institutions[g % len(institutions)],
                    actions[(g // 7) % len(actions)],
                    str(g % 5000),
                )
                for g in range(start, min(start + 20_000, events + 1))
            ]
            cursor.executemany(
                "INSERT INTO audit_auditevent (occurred_at, actor_id, actor_label, actor_institution_id, "
                "actor_role, action, object_type, object_id, request_id, user_agent, purpose, changes) "
                "VALUES (%s, %s, 'bench', %s, 'social_worker', %s, 'cases.path', %s, '', 'bench', '', '{}')",
                [(connection.ops.adapt_datetimefield_value(r[0]), *r[1:]) for r in rows],
            )
        cursor.execute("SELECT id, occurred_at FROM audit_auditevent ORDER BY id")
        events = cursor.fetchall()
        cursor.executemany(
            "INSERT INTO audit_auditsubject (event_id, occurred_at, kind, subject_id) VALUES (%s, %s, 'user', %s)",
            [(pk, when, people[(pk * 13) % len(people)]) for pk, when in events],
        )
