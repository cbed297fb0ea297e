"""The case manager's day with the keyboard only, and on a phone (issue 9, WCAG 2.1 AA): the skip link, a visible
focus on every Tab stop, a note sent with an error comes back with the focus on the error summary; at 390×844 and
at 320 px wide the list, a path, the plan and the pact's commitments fit the screen, badges are not cut off and
the header shows who is signed in. axe-core runs on every page (Visitor.check)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_keyboard_only_sign_in_list_path_note_with_an_error_and_plan(visit, personas, family_path):
    tab = visit()
    tab.open("/accesso/")
    assert tab.focused()["id"] == "id_username"  # the sign-in page starts where one types
    tab.page.keyboard.type("case_manager")
    tab.tab_to(lambda here: here["id"] == "id_password", limit=3)
    tab.page.keyboard.type("una-password-lunga-di-prova")
    tab.enter()
    skip = tab.tab_to(lambda here: True, limit=1)  # the first Tab stop is the skip link
    assert skip["href"] == "#main-content", skip
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("location.hash") == "#main-content"
    assert tab.tab_to(lambda here: True, limit=1)["main"]  # the next Tab is in the page's content, not the header

    path_list = reverse("cases:path_list")
    path_url = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    tab.tab_to(lambda here: here["href"] == path_list)
    tab.enter()
    tab.tab_to(lambda here: here["href"] == path_url)
    tab.enter()
    assert tab.page.url.endswith(path_url)

    # The note is sent empty: the page comes back with the focus on the error summary and says so in its title.
    tab.tab_to(lambda here: here["tag"] == "button" and here["text"] == "Salva la nota", limit=200)
    tab.enter()
    here = tab.focused()
    assert here and here["summary"], here
    assert tab.page.title().startswith("Errore: ")
    # From the summary, its link takes the focus to the field; the note is written and saved.
    tab.tab_to(lambda here: here["href"] == "#id_text", limit=3)
    tab.page.keyboard.press("Enter")
    assert tab.focused()["id"] == "id_text"
    tab.page.keyboard.type("Colloquio con la madre: la frequenza scolastica migliora.")
    tab.tab_to(lambda here: here["tag"] == "button" and here["text"] == "Salva la nota", limit=5)
    tab.enter()
    assert tab.page.url.endswith(path_url) and not tab.page.title().startswith("Errore")
    assert "la frequenza scolastica migliora" in tab.page.inner_text("main")

    plan = reverse("cases:plan", kwargs={"pk": family_path.pk})
    tab.tab_to(lambda here: here["href"] == plan, limit=200)
    tab.enter()
    assert tab.page.url.endswith(plan)


@pytest.mark.parametrize("width, height", [(390, 844), (320, 640)])
def test_small_screens_fit_list_path_plan_and_commitments(visit, personas, family_path, pact, width, height):
    pages = {  # the case manager's pages; the pact's commitments are the coordinator's (403 for a social worker)
        "case_manager": [
            reverse("cases:path_list"),
            reverse("cases:path_detail", kwargs={"pk": family_path.pk}),
            reverse("cases:plan", kwargs={"pk": family_path.pk}),
        ],
        "coordinator": [reverse("governance:commitments")],
    }
    problems = []
    for username, urls in pages.items():
        member = personas[username]
        tab = visit(width=width, height=height)
        tab.sign_in(username)
        for url in urls:
            assert tab.open(url).status == 200, url  # open() runs axe-core: 0 violations
            problems += [f"{url}: {problem}" for problem in tab.reflow_problems()]
            problems += [
                f"{url}: {problem}"
                for problem in tab.header_problems(member.user.get_full_name(), member.institution.name)
            ]
    assert problems == [], "\n".join(problems)
