from django import template

register = template.Library()


@register.inclusion_tag("core/_breadcrumbs.html")
def breadcrumbs(*labels_and_urls):
    """{% breadcrumbs "Institutions" list_url institution.name "" %}: the last crumb has no link."""
    return {"crumbs": list(zip(labels_and_urls[::2], labels_and_urls[1::2]))}
