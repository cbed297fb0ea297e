"""A readable comparison of two versions of the pact: each section word by word, each commitment
followed by its lineage (added, removed, changed)."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old, new):
    """HTML with <del> and <ins> around what changed; everything else escaped. Reviewed mark_safe:
    every piece of text passes through escape()."""
    before, after = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308  (escaped above)


def compare(old_version, new_version):
    old_sections = {s.key: s for s in old_version.sections.all()}
    sections = []
    for section in new_version.sections.all():
        before = old_sections.get(section.key)
        changed = before is None or before.text != section.text
        sections.append(
            {"section": section, "changed": changed, "html": word_diff(before.text if before else "", section.text)}
        )
    old_commitments = {c.lineage: c for c in old_version.commitments.select_related("institution")}
    new_commitments = {c.lineage: c for c in new_version.commitments.select_related("institution")}
    commitments = []
    for lineage, commitment in new_commitments.items():
        before = old_commitments.get(lineage)
        if before is None:
            commitments.append({"state": "added", "commitment": commitment, "html": word_diff("", commitment.text)})
        elif before.text != commitment.text or before.institution_id != commitment.institution_id:
            commitments.append(
                {"state": "changed", "commitment": commitment, "html": word_diff(before.text, commitment.text)}
            )
    for lineage, commitment in old_commitments.items():
        if lineage not in new_commitments:
            commitments.append({"state": "removed", "commitment": commitment, "html": word_diff(commitment.text, "")})
    return {"sections": sections, "commitments": commitments}
