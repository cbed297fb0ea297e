"""``{% url %}`` with its answers remembered (a builtin of the project's templates, in place of Django's tag).

A page reverses the same few dozen addresses on every request (the menu, the header, a list's rows): Django
walks its URL resolver each time, about a twentieth of a list page's rendering (issue 13). An address depends
only on the view's name, its arguments, the current application, the URLconf, the script prefix and the
language, so the answer is remembered for those, when every argument is a plain value (text, a number, a
UUID): an argument of another kind (a model instance, whose text may change) is reversed as Django does.
The tag's syntax and its errors are Django's own (``{% url 'name' arg as var %}``)."""

import functools
import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library, defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = Library()
_PLAIN = (str, int, uuid.UUID)


@functools.lru_cache(maxsize=8192)
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix, language):
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app, urlconf=urlconf)


def remembered_reverse(view_name, *args):
    """``reverse(view_name, args=args)`` remembered as the tag remembers it, for markup written in Python (plain
    arguments only: text, numbers, UUIDs). No current application: every app's URLs are included once
    (``patto/urls.py``), so the tag's namespace of the request would give the same address."""
    return _reversed(
        view_name, args, (), None, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()
    )


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reversed.cache_clear()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((name, value.resolve(context)) for name, value in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str) or not all(
            type(value) in _PLAIN or isinstance(value, uuid.UUID) for value in args + tuple(v for _k, v in kwargs)
        ):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reversed(
                view_name,
                args,
                kwargs,
                current_app,
                get_urlconf() or settings.ROOT_URLCONF,
                get_script_prefix(),
                get_language(),
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
