"""The district's comuni as data (ISTAT codes), their resident population aged 0-17 and schools' enrolment."""
