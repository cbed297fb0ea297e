"""Checks that the demo reads as a real district would (issue 9): nobody shares a full name with anyone
else (staff, family members, volunteers), every signal's text is what its source would write, in the
child's words, and a family's agreement is signed by a parent of that family. Written from what a reader
expects, not from the seed's own tables."""

from collections import Counter

from patto.accounts.models import Institution, User
from patto.cases.models import Path, Person, Volunteer

# What a text says about who wrote it, and who may have written it.
VOICES = {
    "La scuola": {Institution.Kind.SCHOOL},
    "Il pediatra": {Institution.Kind.AUSL},
    "Il servizio sociale": {Institution.Kind.COMUNE, Institution.Kind.DISTRICT_OFFICE},
    "Il nido": {Institution.Kind.EDUCATIONAL_SERVICE},
}
WORDS_FOR = {
    "F": ("il bambino", "del ragazzo", "stanco e", "agitato"),  # words that would misgender a girl
    "M": ("la bambina", "della ragazza", "stanca e", "agitata"),
}


def the_demo_is_consistent():
    names = [u.get_full_name() for u in User.objects.exclude(first_name="", last_name="")]
    names += [f"{p.first_name} {p.last_name}" for p in Person.objects.all()]
    names += [f"{v.first_name} {v.last_name}" for v in Volunteer.objects.all()]
    repeated = {name: n for name, n in Counter(" ".join(name.split()).casefold() for name in names).items() if n > 1}
    assert names and not repeated, repeated
    staff = {u.get_full_name().casefold() for u in User.objects.all()}
    assert not staff & {f"{v.first_name} {v.last_name}".casefold() for v in Volunteer.objects.all()}

    paths = Path.objects.select_related("signal_source", "family", "agreement").prefetch_related("family__members")
    voices = Counter()
    for path in paths:
        opening = next((words for words in VOICES if path.signal_summary.startswith(words)), None)
        assert opening, path.signal_summary
        assert path.signal_source.kind in VOICES[opening], (path.signal_source, path.signal_summary)
        voices[opening] += 1
        child = next(m for m in path.family.members.all() if m.kind == "child")
        assert not any(words in path.signal_summary for words in WORDS_FOR[child.sex]), (child.sex, path.signal_summary)
        if child.school_site:
            assert child.school_site.institution_id == child.school_id
        agreement = getattr(path, "agreement", None)
        if agreement is not None:
            parents = {f"{m.first_name} {m.last_name}" for m in path.family.members.all() if m.kind == "parent"}
            assert agreement.signed_by in parents, agreement.signed_by
    assert len(voices) >= 3, voices  # the signals come from schools, the social service and the paediatricians
    the_territory_is_data()


def the_territory_is_data():
    """Issue 11: every demo comune is a Comune with its (approximate) population aged 0-17 in five bands; the
    families live in several comuni of the district, one text is left for the coordinator to map and one is
    outside the district; the signals come through every channel the national monitoring asks about."""
    from patto.cases.queries import unmapped_residences
    from patto.territory.models import Comune, ResidentPopulation, SchoolEnrolment

    comuni = Comune.objects.all()
    assert {c.istat_code for c in comuni} >= {"099014", "099001", "099018", "099020", "099028"}
    for comune in comuni:
        bands = ResidentPopulation.objects.filter(comune=comune, year=2025)
        assert bands.count() == 5 and all(b.approximate and b.count > 0 for b in bands), comune
    children = Person.objects.filter(kind="child")
    assert children.filter(comune__isnull=False).values("comune").distinct().count() >= 5
    assert {row["value"] for row in unmapped_residences(comuni[0].district)} == {"Santarcangelo", "Cesena"}
    channels = set(Path.objects.values_list("signal_channel", flat=True))
    assert {"school", "paediatrician", "family", "court", "social_service"} <= channels, channels
    assert SchoolEnrolment.objects.count() >= 7
