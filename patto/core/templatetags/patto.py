from django import template

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
