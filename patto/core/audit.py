"""The audit trail as the layers below the audit app see it.

``accounts`` sits below ``audit`` (the audit app reads users, roles and institutions), yet signing in,
granting roles and reading a profile must be audited too. Rather than import upwards, accounts calls
these two functions; the audit app plugs its implementation in when it is ready
(``AuditConfig.ready``). Without an implementation they refuse (fail closed): nothing that must be
audited can happen unaudited."""

from django.core.exceptions import ImproperlyConfigured

_backend = []


def register(services_module):
    """The audit app's services module; its functions are looked up at each call."""
    _backend[:] = [services_module]


def _get(name):
    if not _backend:
        raise ImproperlyConfigured("No audit trail is installed: add patto.audit to INSTALLED_APPS.")
    return getattr(_backend[0], name)


def record_event(**kwargs):
    """See ``patto.audit.services.record_event``."""
    return _get("record_event")(**kwargs)


def render_with_access(request, template, context_data, **kwargs):
    """See ``patto.audit.services.render_with_access``."""
    return _get("render_with_access")(request, template, context_data, **kwargs)


def reads_logged_together():
    """See ``patto.audit.services.reads_logged_together``."""
    return _get("reads_logged_together")()
