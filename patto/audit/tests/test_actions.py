"""Every action code written anywhere has a label in words (the auditor never reads dotted codes)."""

import re
from pathlib import Path

from django.apps import apps
from django.db.models import ForeignKey

from patto.audit.actions import LABELS, action_label
from patto.cases import audit_subjects

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')
# Codes written through an f-string, with every value the placeholder takes.
EXPANDED = {
    'action=f"cases.path.{to_state}"': [
        f"cases.path.{s}" for s in ("pre_assessment", "agreement", "assessment", "intervention", "closed")
    ],
    'action=f"cases.catalogue.{kind}_added"': ["cases.catalogue.outcome_added", "cases.catalogue.device_added"],
    'action=f"cases.catalogue.{kind}_changed"': ["cases.catalogue.outcome_changed", "cases.catalogue.device_changed"],
}


def _sources():
    return [p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_every_action_code_in_the_code_base_has_a_label():
    codes = set()
    for source in _sources():
        text = source.read_text()
        codes |= set(LITERAL.findall(text))
        for template, values in EXPANDED.items():
            if template in text:
                codes |= set(values)
        unknown = set(re.findall(r'action=f"[^"]+"', text)) - set(EXPANDED)
        assert not unknown, f"{source}: list the values of {unknown} in EXPANDED"
    assert codes - set(LABELS) == set()


def test_an_unknown_code_is_shown_in_words():
    assert action_label("cases.path.archived_read") == "cases › path › archived read"
    assert action_label("cases.path.viewed") == str(LABELS["cases.path.viewed"])


def test_every_record_of_a_path_is_searched_for_the_family():
    """A model of the cases app that points at a path is a record of the family: the auditor's search
    must look for audit rows about it, or say why not."""
    listed = {name for name, _lookup in audit_subjects.FAMILY_RECORDS} | set(audit_subjects.NOT_ABOUT_THE_FAMILY)
    path = apps.get_model("cases", "Path")
    pointing = {
        model.__name__
        for model in apps.get_app_config("cases").get_models()
        if any(isinstance(f, ForeignKey) and f.related_model is path for f in model._meta.fields)
    }
    assert pointing - listed == set()
