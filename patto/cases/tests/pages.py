"""The path page as a browser with JavaScript shows it: the page, then the sections it loads on demand, all in
one request (htmx ``hx-get`` once the page is shown; each section then takes its slot's place), fetched as htmx
fetches them. Each slot also links its section's own page (shown without JavaScript)."""

import re

from django.urls import reverse

SLOT = re.compile(r'href="(/percorsi/[^"]+/sezioni/[^"]+/)"')
SECTIONS = re.compile(r'hx-get="(/percorsi/[^"]+/sezioni/)"')


def section_urls(html):
    """The pages of the sections the path page has a slot for."""
    return SLOT.findall(html)


def whole_path_page(client, path, **extra):
    """The page's HTML followed by each loaded section's (every section answers 200)."""
    response = client.get(reverse("cases:path_detail", kwargs={"pk": path.pk}), **extra)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    parts = [html]
    for url in SECTIONS.findall(html):
        sections = client.get(url, headers={"HX-Request": "true"})
        assert sections.status_code == 200, (url, sections.status_code)
        parts.append(sections.content.decode())
    return "\n".join(parts)


def section(client, path, name):
    """One section's response, as htmx fetches it (its ``context`` holds what it shows)."""
    url = reverse("cases:path_section", kwargs={"pk": path.pk, "name": name})
    return client.get(url, headers={"HX-Request": "true"})
