from django import template
from django.utils.safestring import mark_safe

from patto.core.home import CARD_TEMPLATE, card_markup

register = template.Library()


@register.inclusion_tag("core/_breadcrumbs.html")
def breadcrumbs(*labels_and_urls):
    """{% breadcrumbs "Institutions" list_url institution.name "" %}: the last crumb has no link."""
    return {"crumbs": list(zip(labels_and_urls[::2], labels_and_urls[1::2]))}


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """``?…&page=N`` keeping the request's other GET parameters (a list's filters) for the pagination links."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def home_panel(context, panel):
    """``{% home_panel panel %}``: a home-page panel, as ``{% include panel.template with panel=panel %}`` gives it;
    the common card written in Python (``core.home.card_markup``: a page of eight cards spent a tenth of its time
    including them, issue 13)."""
    if panel.get("template") == CARD_TEMPLATE:
        return mark_safe(card_markup(panel))
    with context.push(panel=panel):
        return mark_safe(context.template.engine.get_template(panel["template"]).render(context))
