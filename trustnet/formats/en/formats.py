"""English as read in Finland: Django's default English formats are American (12/1/2026 means
1 December there, 12 January here), so short dates are ISO 8601 and long ones day-month-year."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
