from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def table_download(context, table, fmt):
    """The current page's address with its filters, asking for ``table`` as ``fmt`` (csv, xlsx)."""
    request = context["request"]
    query = request.GET.copy()
    query["tabella"], query["formato"] = table.key, fmt
    return f"{request.path}?{query.urlencode()}"
