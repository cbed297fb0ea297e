"""The DPO finds a child named in a signal, before any path exists, and sees who read the signal (issue 10:
"who read this child's data?" must not miss the first step)."""

from datetime import date

from django.urls import reverse

from patto.referrals import services


def test_the_dpo_finds_who_read_a_signal_naming_a_child(referrals_world, login, personas):
    rw = referrals_world
    signal = services.send_signal(
        actor=rw.teacher,
        data={
            "child_first_name": "Ottavia",
            "child_last_name": "Zanzibar",
            "child_birth_date": date(2016, 4, 2),
            "child_sex": "F",
            "comune": rw.comune,
            "observed": "Assenze ripetute.",
        },
    )
    head = login("capo_servizio")
    assert head.get(reverse("referrals:detail", args=[signal.pk])).status_code == 200
    dpo = login("auditor")
    found = dpo.post(reverse("audit:access_search"), {"query": "Ottavia Zanzibar"})
    assert found.status_code == 302 and found["Location"] == reverse("audit:signal_accesses", args=[signal.pk])
    page = dpo.get(found["Location"])
    assert page.status_code == 200
    rows = page.context["rows"]
    assert signal.number in page.content.decode()
    readers = {row.who for row in rows}
    assert rw.head.get_full_name() in readers and rw.teacher.get_full_name() in readers
    assert dpo.get(reverse("audit:signal_accesses_xlsx", args=[signal.pk])).status_code == 200
    # Another district's auditor, or a number that is not a signal: 404.
    assert dpo.get(reverse("audit:signal_accesses", args=[signal.pk + 999])).status_code == 404
