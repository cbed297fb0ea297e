"""The home page is made of panels that each app registers (core imports no app).

A panel is a function ``(request) -> dict | None``: a dict with a template and its context, or None
when the panel has nothing for this user. Apps register panels in AppConfig.ready()."""

from .widget_markup import shown

_panels = []


def register_panel(order, panel):
    _panels.append((order, panel))
    _panels.sort(key=lambda item: item[0])


def panels_for(request):
    return [result for _order, panel in _panels if (result := panel(request)) is not None]


# Most panels are the same card (a title, a text, links, a link to the rest): the project's template, written in
# Python by ``{% home_panel %}`` (core/templatetags/patto.py) with the same markup
# (``core/tests/test_home_card.py`` keeps the template as the oracle). Any other panel template is included.
CARD_TEMPLATE = "core/_card.html"


def card_markup(panel):
    """``core/_card.html`` for ``panel``, character for character."""
    parts = [
        '<div class="card card-bg card-big rounded shadow-sm w-100">\n  <div class="card-body d-flex flex-column">\n'
        '    <h2 class="card-title h4">',
        shown(panel.get("title", "")),
        '</h2>\n    <p class="card-text">',
        shown(panel.get("text", "")),
        "</p>\n    ",
    ]
    links = panel.get("links")
    if links:
        parts.append('<ul class="list-unstyled mb-0">')
        for label, url in links:
            parts.append(
                '<li class="mb-1"><a href="' + shown(url) + '" class="read-more-link">' + shown(label) + "</a></li>"
            )
        parts.append("</ul>")
    parts.append("\n    ")
    more = panel.get("more")
    if more:
        parts.append(
            '<p class="mt-auto pt-3 mb-0"><a href="'
            + shown(more[1])
            + '" class="fw-semibold">'
            + shown(more[0])
            + "</a></p>"
        )
    parts.append("\n  </div>\n</div>\n")
    return "".join(parts)
