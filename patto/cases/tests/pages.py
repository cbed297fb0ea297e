"""The path page as a browser with JavaScript shows it: the page, then each section it loads on demand
(htmx ``hx-get`` in its slot; ``cases.sections``), fetched as htmx fetches them."""

import re

from django.urls import reverse

SLOT = re.compile(r'hx-get="(/percorsi/[^"]+/sezioni/[^"]+/)"')


def section_urls(html):
    return SLOT.findall(html)


def whole_path_page(client, path, **extra):
    """The page's HTML followed by each loaded section's (every section answers 200)."""
    response = client.get(reverse("cases:path_detail", kwargs={"pk": path.pk}), **extra)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    parts = [html]
    for url in section_urls(html):
        section = client.get(url, headers={"HX-Request": "true"})
        assert section.status_code == 200, (url, section.status_code)
        parts.append(section.content.decode())
    return "\n".join(parts)


def section(client, path, name):
    """One section's response, as htmx fetches it (its ``context`` holds what it shows)."""
    url = reverse("cases:path_section", kwargs={"pk": path.pk, "name": name})
    return client.get(url, headers={"HX-Request": "true"})
