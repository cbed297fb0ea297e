import pytest, time_machine
from django.db import transaction
from django.test import override_settings
from collections import Counter
from patto.cases.tests import test_adversary as T, oracle as O

@pytest.mark.parametrize("n", range(1, len(T.EDGES)))
def test_edge(db, n):
    tally = Counter()
    with time_machine.travel(T.NOW, tick=False), override_settings(PATTO_CLOSURE_GRACE_DAYS=30), transaction.atomic():
        try:
            T.compare(T.EDGES[n], T.EDGE_ACTING[n], tally)
        finally:
            transaction.set_rollback(True)
    print(tally)
