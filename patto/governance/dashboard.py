"""Sections of the coordinator's governance dashboard that apps below governance provide (the referrals
app: signals and requests past their time), registered in their AppConfig.ready(), like the home panels.

A section is a function ``(request, pact) -> dict | None``: a dict with ``template`` and its context."""

_sections = []


def register_section(order, section):
    if any(existing is section for _order, existing in _sections):
        return
    _sections.append((order, section))
    _sections.sort(key=lambda item: item[0])


def sections_for(request, pact):
    return [result for _order, section in _sections if (result := section(request, pact)) is not None]
