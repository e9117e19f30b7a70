# Burmese (Django has no formats module for it): "2027 ခုနှစ် ဇူလိုင် 30 ရက်". Only ASCII
# letters are format codes, so the Burmese words need no escaping.
DATE_FORMAT = "Y ခုနှစ် F j ရက်"
DATETIME_FORMAT = "Y ခုနှစ် F j ရက်၊ H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y ခုနှစ် F"
MONTH_DAY_FORMAT = "F j ရက်"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
