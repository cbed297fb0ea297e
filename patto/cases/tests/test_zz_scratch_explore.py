import os, time_machine, json
from django.db import transaction
from django.test import override_settings
from collections import Counter
from hypothesis import given, settings, Phase, HealthCheck
from patto.cases.tests import test_adversary as T, oracle as O

def test_explore(db):
    out = open(os.environ.get("EXPLORE_OUT", "/tmp/h/explore.txt"), "w")
    tally = Counter()
    @settings(max_examples=int(os.environ.get("N", "100")), deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(T.worlds())
    def check(drawn):
        world, acting = drawn
        with time_machine.travel(T.NOW, tick=False), override_settings(PATTO_CLOSURE_GRACE_DAYS=30), transaction.atomic():
            try:
                T.compare(world, acting, tally)
            except AssertionError as e:
                tally["bad worlds"] += 1
                out.write(str(e) + "\n=========\n"); out.flush()
            finally:
                transaction.set_rollback(True)
        tally["worlds"] += 1
    check()
    print(tally)
    out.write(repr(tally)); out.close()
