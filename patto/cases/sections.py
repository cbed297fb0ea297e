"""Sections of a family's path page that other apps add (cases imports no app below it).

A section is a function ``(request, path, access) -> dict | None``: a dict with a template and its context
(rendered as ``section``), or None when it has nothing for this user. A team action is a function of the
same arguments returning ``(label, url)`` pairs, shown as links in the team section. Apps register both in
AppConfig.ready(). ``access`` is the user's ``queries.Access`` to the path: a section showing the équipe's
matters checks ``access.team_view`` (a school seat reads only what is shared with the school). Each section
costs a fixed number of queries: the path page has a query budget."""

_sections = []
_team_actions = []


def register_path_section(order, section):
    if any(existing is section for _order, existing in _sections):
        return
    _sections.append((order, section))
    _sections.sort(key=lambda item: item[0])


def register_team_action(order, action):
    if any(existing is action for _order, existing in _team_actions):
        return
    _team_actions.append((order, action))
    _team_actions.sort(key=lambda item: item[0])


def sections_for(request, path, access):
    return [result for _order, section in _sections if (result := section(request, path, access)) is not None]


def team_actions_for(request, path, access):
    return [link for _order, action in _team_actions for link in action(request, path, access) or ()]
