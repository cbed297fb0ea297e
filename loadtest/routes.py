"""The URLs the load test requests, by Django URL name: plain Python (no Django, no Locust), so that
``patto/demo/tests/test_loadtest.py`` can check each one against ``reverse()`` and the locustfile cannot rot.

A template's fields are filled from the accounts file written by ``manage.py seed_loadtest``."""

ROUTES = {
    "accounts:login": "/accesso/",
    "accounts:mfa_verify": "/accesso/verifica/",
    "core:home": "/",
    "cases:path_list": "/percorsi/",
    "cases:path_detail": "/percorsi/{path}/",
    "cases:path_sections": "/percorsi/{path}/sezioni/",
    "cases:person_search": "/famiglie/cerca/",
    "notifications:inbox": "/notifiche/",
    "governance:dashboard": "/patto/cruscotto/",
    "governance:commitments": "/patto/impegni/",
    "governance:period_report": "/patto/monitoraggio/{period}/",
    "referrals:sent": "/richieste/inviate/",
    "helpdesk:faqs": "/sportello-legale/faq/",
    "audit:trail": "/registro-accessi/",
}


def url(name, **fields):
    return ROUTES[name].format(**fields)
