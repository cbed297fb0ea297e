"""WCAG 2.2.1 in a browser: the warning before the idle timeout, with a way to stay signed in."""

import time

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

OPEN = "document.getElementById('session-warning').open"
STATE = "[...document.querySelectorAll('[data-session-state]')].filter(e => !e.hidden).map(e => e.dataset.sessionState)"


def test_the_warning_comes_two_minutes_before_and_staying_signed_in_restarts_the_clock(visit, rimini):
    MembershipFactory(user=UserFactory(username="assistente"), institution=rimini.comune, role=Role.SOCIAL_WORKER)
    tab = visit(390, 844)
    tab.sign_in("assistente")
    tab.page.clock.install()  # the page's timers, fast-forwarded; the server's clock is the real one
    tab.open("/profilo/")
    tab.page.clock.fast_forward("27:50")
    assert not tab.page.evaluate(OPEN)
    tab.page.clock.fast_forward("00:20")  # 2 minutes before the 30 minutes of inactivity
    assert tab.page.evaluate(OPEN) and tab.page.evaluate(STATE) == ["warning"]
    assert tab.page.evaluate("document.activeElement.closest('dialog') !== null")  # focus in the dialog
    tab.check()  # axe and CSP with the dialog open
    tab.page.keyboard.press("Enter")  # "Stay signed in": the keep-alive answers, the dialog closes
    # Polled from here: wait_for_function would evaluate the expression with eval() in the page when it has to
    # wait (a slow keep-alive), which the strict CSP rightly refuses.
    for _attempt in range(200):
        if not tab.page.evaluate(OPEN):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the warning stayed open after 'Stay signed in'")
    tab.page.clock.fast_forward("27:50")
    assert not tab.page.evaluate(OPEN)  # the clock started again
    tab.page.clock.fast_forward("02:20")
    assert tab.page.evaluate(STATE) == ["expired"]
