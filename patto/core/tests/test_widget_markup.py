"""The plain widgets written in Python (``core.widget_markup``) give exactly what Django's templates give:
every widget kind, rendered both ways with generated names, values, attributes and choices (markup
characters, lazy and localized labels, booleans, safe strings, groups), must match character for character."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from patto.core.forms import DateInput, DateTimeInput, PattoFormRenderer
from patto.core.widget_markup import Select as FastSelect
from patto.core.widget_markup import SelectMultiple as FastSelectMultiple
from patto.core.widget_markup import render_widget

FAST, TEMPLATES = PattoFormRenderer(), TemplatesSetting()

text = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'è€-_")), max_size=8)
scalar = st.one_of(
    st.none(),
    text,
    st.integers(-5000, 5000),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False),
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2030, 1, 1)),
    st.builds(mark_safe, text),
    st.just(gettext_lazy("All phases")),
)
attr_value = st.one_of(st.booleans(), scalar)
attrs = st.dictionaries(
    st.sampled_from(["class", "id", "required", "disabled", "aria-describedby", "data-x"]), attr_value
)
label = st.one_of(text, st.integers(0, 100000), st.decimals(0, 10000, places=1), st.just(gettext_lazy("Open only")))
choices = st.lists(st.tuples(st.one_of(text, st.integers(0, 50)), label), max_size=5)
grouped = st.lists(
    st.one_of(st.tuples(st.one_of(text, st.integers(0, 9)), label), st.tuples(text, choices)), max_size=4
)

INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
    DateInput,
    DateTimeInput,
]


def both(widget, name, value, extra):
    fast = widget.render(name, value, attrs=extra, renderer=FAST)
    slow = widget.render(name, value, attrs=extra, renderer=TEMPLATES)
    return fast, slow


@settings(max_examples=150, deadline=None, database=None)
@given(
    kind=st.sampled_from(INPUTS),
    name=text,
    value=scalar,
    own=attrs,
    extra=attrs,
    language=st.sampled_from(["it", "en"]),
)
def test_inputs(kind, name, value, own, extra, language):
    with translation.override(language):
        fast, slow = both(kind(attrs=own), name, value, extra)
    assert fast == slow


@settings(max_examples=60, deadline=None, database=None)
@given(checked=st.sampled_from([True, False, "on", "", None]), own=attrs, name=text)
def test_checkboxes(checked, own, name):
    fast, slow = both(forms.CheckboxInput(attrs=own), name, checked, None)
    assert fast == slow


@settings(max_examples=60, deadline=None, database=None)
@given(
    value=st.one_of(scalar, st.just('riga uno\nriga <due> & "tre"')), own=attrs, language=st.sampled_from(["it", "en"])
)
def test_textareas(value, own, language):
    with translation.override(language):
        fast, slow = both(forms.Textarea(attrs=own), "note", value, None)
    assert fast == slow


@settings(max_examples=150, deadline=None, database=None)
@given(
    kind=st.sampled_from([forms.Select, forms.SelectMultiple, forms.NullBooleanSelect, FastSelect, FastSelectMultiple]),
    options=grouped,
    value=st.one_of(st.none(), text, st.integers(0, 50), st.lists(st.one_of(text, st.integers(0, 50)), max_size=3)),
    own=attrs,
    language=st.sampled_from(["it", "en"]),
)
def test_selects(kind, options, value, own, language):
    assume(kind is not forms.NullBooleanSelect or not isinstance(value, list))
    widget = kind(attrs=own) if kind is forms.NullBooleanSelect else kind(attrs=own, choices=options)
    with translation.override(language):
        fast, slow = both(widget, "choice", value, {"id": "id_choice"})
    assert fast == slow


def test_the_fast_markup_is_used_and_a_select_with_other_options_falls_back_to_its_template():
    widget = forms.Select(choices=[("a", "A")])
    context = widget.get_context("x", "a", None)
    assert render_widget(widget.template_name, context) is not None
    context["widget"]["optgroups"][0][1][0]["template_name"] = "forms/widgets/checkbox_option.html"
    assert render_widget(widget.template_name, context) is None
    radio = forms.RadioSelect(choices=[("a", "A")])
    assert render_widget(radio.template_name, radio.get_context("x", "a", None)) is None
    assert "<input" in radio.render("x", "a", renderer=FAST)


class _ProjectTemplates(TemplatesSetting):
    """The project's form and field templates, every widget from Django's templates."""

    form_template_name = PattoFormRenderer.form_template_name
    field_template_name = PattoFormRenderer.field_template_name


@pytest.mark.parametrize(
    "data",
    [None, {"reference": "<b>2026", "state": "nope"}, {"state": "closed", "status": "open", "mine": "team"}],
)
def test_a_whole_form_renders_the_same_both_ways(data):
    from patto.cases.filters import PathFilterForm
    from patto.cases.models import Cohort

    def rendered(renderer):
        form = PathFilterForm(
            data, cohorts=Cohort.objects.none(), cohort_choices=[(3, "PIPPI <13>")], renderer=renderer
        )
        assert type(form.fields["state"].widget) is FastSelect  # StyledFormMixin's forms write their selects fast
        assert form["state"].widget_type == "select"  # what the field template branches on
        form.is_valid() if data else None
        return form.render()

    fast = rendered(PattoFormRenderer())
    assert fast == rendered(_ProjectTemplates())
    assert "<select" in fast and "PIPPI &lt;13&gt;" in fast


FIELD_KINDS = {
    "text": lambda **kw: forms.CharField(max_length=5, **kw),
    "textarea": lambda **kw: forms.CharField(widget=forms.Textarea, max_length=5, **kw),
    "date": lambda **kw: forms.DateField(widget=DateInput, **kw),
    "number": lambda **kw: forms.IntegerField(min_value=0, **kw),
    "select": lambda **kw: forms.ChoiceField(choices=[("a", "A <1>"), ("b", gettext_lazy("Open only"))], **kw),
    "select multiple": lambda **kw: forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], **kw),
    "checkbox": lambda **kw: forms.BooleanField(**kw),
    "checkboxes": lambda **kw: forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B&")], widget=forms.CheckboxSelectMultiple, **kw
    ),
    "radio": lambda **kw: forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, **kw),
}
field_text = st.one_of(
    st.just(""), text, st.builds(mark_safe, text), st.just(gettext_lazy("All phases")), st.just(None)
)


@settings(max_examples=200, deadline=None, database=None)
@given(
    kind=st.sampled_from(sorted(FIELD_KINDS)),
    label=field_text,
    help_text=field_text,
    required=st.booleans(),
    value=st.one_of(
        st.none(),
        st.just(""),
        st.just("a"),
        st.just("2026-11-16"),
        st.just("toolong"),
        st.just("-3"),
        st.just('<b>&"x'),
    ),
    prefix=st.one_of(st.none(), st.sampled_from(["p", "a<b"])),
    auto_id=st.sampled_from(["id_%s", "", "x-%s"]),
    language=st.sampled_from(["it", "en"]),
)
def test_the_field_template_written_in_python_matches_it(
    kind, label, help_text, required, value, prefix, auto_id, language
):
    """``widget_markup.render_field_group`` against ``forms/field.html``: every branch (fieldset, checkbox, select,
    the rest), with and without help text, required or not, bound with errors or not, ids on and off."""

    class OneField(forms.Form):
        field = FIELD_KINDS[kind](label=label, help_text=help_text or "", required=required)

    def rendered(renderer):
        data = None if value is None else {(f"{prefix}-field" if prefix else "field"): value}
        form = OneField(data, prefix=prefix, auto_id=auto_id, renderer=renderer)
        form.is_valid() if data is not None else None
        return form["field"].as_field_group()

    with translation.override(language):
        fast = rendered(PattoFormRenderer())
        assert fast == rendered(_ProjectTemplates())


def test_the_field_template_is_written_in_python_only_for_a_field(monkeypatch):
    """The project's renderer writes ``forms/field.html`` itself (no template rendered for it); any other
    context given that template name renders the template."""
    from patto.core import forms as core_forms

    class OneField(forms.Form):
        name = forms.CharField(label="Nome", help_text="Aiuto")

    written = []
    original = core_forms.render_field_group
    monkeypatch.setattr(core_forms, "render_field_group", lambda field: written.append(field) or original(field))
    form = OneField(renderer=PattoFormRenderer())
    assert 'for="id_name"' in form["name"].as_field_group() and written == [form["name"]]
    other = PattoFormRenderer().render("forms/field.html", {"field": form["name"], "extra": 1})
    assert other == original(form["name"]) and len(written) == 1
