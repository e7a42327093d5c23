"""Persian time words (Gregorian month and weekday names come from CLDR). Persian and
Arabic-Indic digits are read as digits, Arabic ي and ك as ی and ک, a zero-width non-joiner as
a space; "سه‌شنبه" may be written with a space or none."""

from handlers.when.languages import Language

LANGUAGE = Language(
    code="fa",
    locale="fa",
    respellings=(("شنبه", " شنبه"), ("\u200c", "")),
    words={
        # days
        "امروز": "TODAY",
        "فردا": "TOMORROW",
        "پس‌فردا": "OVERMORROW",
        "آینده": "NEXT",
        "بعد": "NEXT",
        "بعدی": "NEXT",
        "این": "THIS",
        "روز": "DAYS",  # also "روز دوشنبه"
        "ی": "",  # the ezafe written apart: "دوشنبه‌ی آینده"
        # parts of the day and clock times
        "امشب": "TODAY NIGHT",
        "صبح": "MORNING",
        "بعدازظهر": "AFTERNOON",
        "بعد از ظهر": "AFTERNOON",
        "عصر": "AFTERNOON",
        "شب": "NIGHT",
        "ظهر": "NOON",
        "ساعت": "HOURS_AT",  # "ساعت ۹" at nine, "۲ ساعت" two hours
        # durations
        "دیگر": "LATER",
        "دیگه": "LATER",
        "بعد از": "IN",
        "پس از": "IN",
        "و": "AND",
        "یک": "ONE",
        "یه": "ONE",
        "نیم ساعت": "30 MINUTES",
        "یک ساعت و نیم": "1 HOURS 30 MINUTES",
        "یه ساعت و نیم": "1 HOURS 30 MINUTES",
        "دقیقه": "MINUTES",
        "هفته": "WEEKS",
        # repeats
        "هر": "EVERY",
        "هر روز": "DAILY",
        "روزانه": "DAILY",
        "تا": "UNTIL",
        "هر دو": "EVERY OTHER",
        "اولین": "1 ORD",
        "دومین": "2 ORD",
        "سومین": "3 ORD",
        "چهارمین": "4 ORD",
        "آخرین": "LAST",
        "ماه": "MONTHS",
        "سال": "YEAR",
        "هفتگی": "EVERY WEEKS",
        "ماهانه": "EVERY MONTHS",
        "سالانه": "EVERY YEAR",
        # reminders before the due time
        "یادآوری": "REMIND",
        "یادآوری کن": "REMIND",
        "قبل": "BEFORE",
        "پیش": "BEFORE",
    },
    numbers={
        "دو": 2,
        "سه": 3,
        "چهار": 4,
        "پنج": 5,
        "شش": 6,
        "هفت": 7,
        "هشت": 8,
        "نه": 9,
        "ده": 10,
        "یازده": 11,
        "دوازده": 12,
        "پانزده": 15,
        "بیست": 20,
        "سی": 30,
        "چهل و پنج": 45,
    },
)
