"""Date formats per language (settings.FORMAT_MODULE_PATH), read before Django's own.

Italian prose dates read "1 dicembre 2026": no leading zero, months in lower case. Django's Italian
catalogue capitalises the months ("Dicembre"), so our catalogue, which takes precedence over Django's
(LOCALE_PATHS), translates the same msgids in lower case. They are listed here so that makemessages keeps
them in our catalogue. English uses day-month-year too (1 December 2026, 01/12/2026), never the US order,
so that a date reads the same in both languages."""

from django.utils.translation import gettext_noop, pgettext_lazy

MONTHS = [  # literal calls, so that makemessages finds them
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
MONTHS_ALT = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
