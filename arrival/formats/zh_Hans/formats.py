# CLDR groups digits by three with "," in Simplified Chinese (Django's defaults print 1234567); dates stay
# Django's ("2026年12月7日").
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
