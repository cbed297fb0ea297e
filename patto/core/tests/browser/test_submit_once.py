"""The create form's submit button is disabled while the form is being sent, and usable again after going back
(static/patto/submit-once.js); the note is saved once."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

WATCH = """() => {
    const form = document.querySelector("form[action$='/note/']");
    const button = form.querySelector("button[type=submit]");
    new MutationObserver(() => console.log(`sending=${form.getAttribute("aria-busy")} disabled=${button.disabled}`))
        .observe(form, {attributes: true, subtree: true});
}"""


def test_the_note_button_waits_for_the_answer_and_is_usable_again_after_back(visit, personas, family_path):
    tab = visit()
    tab.sign_in("case_manager")
    tab.open(reverse("cases:path_detail", kwargs={"pk": family_path.pk}))
    page = tab.page
    page.set_default_timeout(20000)
    held = []  # the answer waits until the test has looked at the page (the page cannot be read meanwhile)
    page.route("**" + reverse("cases:note_add", kwargs={"pk": family_path.pk}), lambda route: held.append(route))
    page.evaluate(WATCH)
    page.fill("#id_text", "Colloquio con la madre.")
    page.locator("form[action$='/note/'] button[type=submit]").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert len(held) == 1 and "sending=true disabled=true" in tab.console
    with page.expect_navigation():
        held[0].continue_()
    tab.check()
    assert family_path.notes.count() == 1
    page.go_back()
    page.wait_for_load_state("load")
    assert not page.locator("form[action$='/note/'] button[type=submit]").is_disabled()
