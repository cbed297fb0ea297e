# Italian: prose dates without a leading zero ("1 dicembre 2026"); the short forms are Django's (01/12/2026).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y, \o\r\e H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
