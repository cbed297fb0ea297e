"""``{% static %}`` with its answers remembered: the project's templates load it as ``{% load patto_static %}``
in place of Django's ``static`` library (a test holds that none loads Django's).

Every page writes the same addresses of its style sheets, scripts and icons (seventeen in the base template), and
Django asks the storage for each at every request: about half a millisecond a page, a few per cent of a light
one (issue 13). A file's address depends only on its path and the storage (in production the manifest of hashed
names, read once at start), so it is remembered per path and forgotten when the static settings change. The
tag's syntax, its ``as var`` and its escaping are Django's own."""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.templatetags import static as django_static

register = Library()
register.tag("get_static_prefix", django_static.get_static_prefix)
register.tag("get_media_prefix", django_static.get_media_prefix)


@functools.lru_cache(maxsize=1024)
def _address(path):
    return django_static.StaticNode.handle_simple(path)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "FORCE_SCRIPT_NAME"):
        _address.cache_clear()


class RememberedStaticNode(django_static.StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        return _address(path) if isinstance(path, str) else self.handle_simple(path)


@register.tag("static")
def do_static(parser, token):
    node = django_static.do_static(parser, token)
    return RememberedStaticNode(varname=node.varname, path=node.path)
