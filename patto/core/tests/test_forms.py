"""Forms that come back with errors (WCAG 3.3.1, 3.3.3, 2.4.3): one error summary at the top of every form,
linked to each field, the page title starting with "Error:", checkbox groups that name their error; the
concurrent-edit alert and the form shell are one partial each."""

import re

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from patto.accounts.roles import Role
from patto.core.forms import CheckboxList, StyledFormMixin


class SampleForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label="Text", help_text="What happened")
    schools = forms.MultipleChoiceField(
        label="Schools", choices=[("a", "School A"), ("b", "School B")], widget=CheckboxList
    )

    def clean(self):
        raise forms.ValidationError("The dates do not agree.")


def _english(callable_):
    with translation.override("en"):
        return callable_()


def test_the_error_summary_links_every_error_to_its_field():
    form = SampleForm(data={})
    html = _english(lambda: str(form))
    summary = re.search(r'<div class="alert alert-danger[^>]*data-error-summary[^>]*>(.*?)</div>', html, re.S)
    assert summary, html
    opening = summary.group(0).split(">")[0]
    assert 'role="alert"' in opening and 'tabindex="-1"' in opening  # focus goes there (static/patto/forms.js)
    body = summary.group(1)
    assert "There are 4 problems to correct" in body
    assert "The dates do not agree." in body  # a non-field error, not tied to a field
    assert "This field is required." in body and body.count('href="#') == 2
    assert '<a href="#id_text">Text: This field is required.</a>' in body
    assert '<a href="#id_schools_0">Schools: This field is required.</a>' in body  # the group's first box
    assert 'id="id_schools_0"' in html
    assert html.index("data-error-summary") < html.index('name="text"')  # at the top of the form
    # The field's error is linked: the input by Django, the checkbox group by its fieldset.
    assert re.search(r'<input[^>]*name="text"[^>]*aria-describedby="id_text_helptext id_text_error"', html)
    assert '<fieldset class="mb-4" aria-describedby="id_schools_error">' in html
    assert 'id="id_schools_error"' in html and 'id="id_text_error"' in html
    # A valid or unbound form has no summary; one error reads in the singular.
    assert "data-error-summary" not in str(SampleForm())
    one = forms.Form(data={})
    one.fields["name"] = forms.CharField(label="Name")
    assert "There is 1 problem to correct" in _english(lambda: str(one))


def test_the_title_says_error_when_any_form_on_the_page_has_errors():
    template = Template("{% load patto_forms %}{% error_title_prefix %}Page")
    with translation.override("en"):
        assert template.render(Context({"signal_form": SampleForm(data={})})) == "Error: Page"
        assert template.render(Context({"form": SampleForm()})) == "Page"  # unbound: not an error
        assert template.render(Context({})) == "Page"


def test_a_note_with_an_error_comes_back_with_summary_title_and_shell(family_path, login):
    client = login("case_manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("cases:note_add", kwargs={"pk": family_path.pk})
    response = client.post(url, {"audience": "team", "text": ""})
    html = response.content.decode()
    assert response.status_code == 200 and not family_path.notes.exists()
    assert re.search(rf"<title>Error: Write a note — {family_path.family.reference} · Patto", html)
    assert "data-error-summary" in html and '<a href="#id_text">' in html
    # The form shell: the note's own URL, the submit button and the way back to the path.
    assert f'<form method="post" action="{url}" novalidate class="col-lg-8 px-0">' in html
    assert '<button type="submit" class="btn btn-primary">Save the note</button>' in html
    assert f'href="{reverse("cases:path_detail", kwargs={"pk": family_path.pk})}">Cancel</a>' in html
    ok = client.get(reverse("cases:path_detail", kwargs={"pk": family_path.pk})).content.decode()
    assert "<title>Error:" not in ok and "data-error-summary" not in ok


def test_the_conflict_alert_says_what_is_saved_now(login, personas):
    target = personas["case_manager"]
    url = reverse("accounts:membership_edit", kwargs={"pk": target.pk})
    client = login("institution_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first = {"version": target.version, "role": Role.LEGAL_OFFICE, "valid_from": target.valid_from.isoformat()}
    assert client.post(url, first).status_code == 302
    stale = client.post(url, {**first, "role": Role.EDUCATOR})
    html = stale.content.decode()
    assert stale.status_code == 409
    alert = re.search(r'<div class="alert alert-warning" role="alert" id="conflict-alert">(.*?)</div>', html, re.S)
    assert alert, html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", alert.group(1)))
    assert "Someone else saved this role while you were editing it" in text
    assert "Nothing you typed has been lost" in text
    with translation.override("en"):
        assert f"Saved now: {Role(Role.LEGAL_OFFICE).label}, " in text
    assert "open-ended" in text


def test_page_titles_name_the_family_by_its_reference(family_path, personas, login):
    """A title is what a screen reader reads first and what a tab shows: it names the record (the family's
    reference, never a child's name), so two open tabs are not both "Il Mondo del Bambino"."""
    from datetime import date

    from patto.cases import services

    actor = personas["case_manager"].user
    services.advance_path(actor=actor, path=family_path, version=family_path.version)
    services.record_agreement(
        actor=actor,
        path=family_path,
        version=family_path.version,
        signed_on=date(2025, 10, 1),
        signed_by="Elena Canestrari",
    )
    services.advance_path(actor=actor, path=family_path, version=family_path.version)
    child = family_path.family.members.get(kind="child")
    client = login("case_manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reference = family_path.family.reference
    pages = {
        reverse("cases:plan", kwargs={"pk": family_path.pk}): f"The family's plan — {reference}",
        reverse(
            "cases:assessment_edit",
            kwargs={"pk": family_path.pk, "child_pk": child.pk, "time_point": "T0", "rater": "team"},
        ): f"Il Mondo del Bambino — {reference}, T0, ",
        reverse("cases:prepost_edit", kwargs={"pk": family_path.pk, "time_point": "T0"}): f"— {reference}, T0",
        reverse("cases:device_add", kwargs={"pk": family_path.pk}): f"Activate an intervention device — {reference}",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
        assert expected in title and "Aurora" not in title, (url, title)
