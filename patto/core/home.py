"""The home page is made of panels that each app registers (core imports no app).

A panel is a function ``(request) -> dict | None``: a dict with a template and its context, or None
when the panel has nothing for this user. Apps register panels in AppConfig.ready()."""

_panels = []


def register_panel(order, panel):
    _panels.append((order, panel))
    _panels.sort(key=lambda item: item[0])


def panels_for(request):
    return [result for _order, panel in _panels if (result := panel(request)) is not None]
