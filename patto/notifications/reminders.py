"""Reminders that come from the passing of time (a task overdue, a time point due, a request past its
clock), produced by the apps that own the data. Each app registers its sources in ``AppConfig.ready()``:

    register_source("cases.tasks_overdue", tasks_overdue)

A source is a function ``(today) -> int`` that calls ``notify(..., dedupe_key=...)`` for what is due and
returns how many notifications it created; the key (thing, kind, day) makes running the job twice
harmless. ``manage.py send_reminders`` runs every source (cron, see the README)."""

_sources = {}


def register_source(name, function):
    _sources[name] = function


def sources():
    return dict(_sources)


def run_sources(today):
    """{name: notifications created} for every registered source."""
    return {name: function(today) for name, function in sorted(_sources.items())}
