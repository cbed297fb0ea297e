"""Django's ``i18n`` template library, with ``{% translate "literal" %}`` remembered per language.

The project's templates ``{% load patto_i18n %}`` in place of Django's ``i18n`` (``core/tests/test_translate_tag.py``
checks that none loads Django's): every tag and filter is Django's own, except that a ``{% translate %}`` of a
literal text (with a literal context or none, and no filter) keeps its answer. Django translates such a tag again at every render,
through a lazy string and the active language's catalogue: a page has a hundred of them, about a tenth of its
rendering (issue 13). The answer depends only on the text, the context, ``noop``, the active language and
whether the template escapes, so it is remembered for those; the first answer is Django's own render. A
translation whose text comes from a variable, or with a filter, is Django's, every time. The catalogues are
read again when the settings that choose them change (tests), and so is what was remembered."""

from django.template import Library, Variable
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

from patto.core.displays import forgotten_with_the_catalogues

register = Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

_REMEMBERED = {}
forgotten_with_the_catalogues(_REMEMBERED)


def _literal(expression):
    """The text of a filter expression that is a literal with no filter, or None."""
    if expression is None or expression.filters:
        return None
    var = expression.var
    if isinstance(var, Variable):
        return var.literal if isinstance(var.literal, str) else None
    return var if isinstance(var, str) else None


class RememberedTranslateNode(django_i18n.TranslateNode):
    def render(self, context):
        key = (self._text, self._context, self.noop, get_language(), context.autoescape)
        value = _REMEMBERED.get(key)
        if value is None:
            if self.asvar:
                with context.push():
                    super().render(context)
                    value = context[self.asvar]
            else:
                value = super().render(context)
            _REMEMBERED[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _remembered(compile_tag):
    def tag(parser, token):
        node = compile_tag(parser, token)
        text = _literal(node.filter_expression)
        message_context = _literal(node.message_context) if node.message_context is not None else ""
        if type(node) is django_i18n.TranslateNode and text is not None and message_context is not None:
            node.__class__ = RememberedTranslateNode
            node._text, node._context = text, (message_context if node.message_context is not None else None)
        return node

    return tag


register.tag("translate", _remembered(django_i18n.do_translate))
register.tag("trans", _remembered(django_i18n.do_translate))
