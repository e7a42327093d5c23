"""Reading "when" phrases typed in each language the bot speaks, and in English in any chat.

Every expected value is worked out by hand from a calendar: Wednesday 10 June 2026, 14:00 on
the chat's clock is "now" (Thursday 11 June is tomorrow, Monday 15 June next Monday, 1 December
2026 a Tuesday). Each table is read in two zones (Tehran +03:30 and São Paulo -03:00, neither
changes its clocks in these months), so the wall-clock results are the same in both; the DST
cases use Berlin (2026-03-29 02:00->03:00) and New York (2026-11-01 02:00->01:00).
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import get_day_names, get_month_names
from hypothesis import given
from hypothesis import strategies as st

from handlers.when import (
    LANGUAGES,
    MAX_AHEAD,
    WhenError,
    ascii_digits,
    parse_duration,
    parse_reminders,
    parse_time_of_day,
    parse_when,
)
from handlers.when.languages import ENGLISH, language_code, language_table
from handlers.when.vocabulary import CANONICAL, build_vocabulary, language_vocabulary
from storage.recurrence import LAST, WORKDAYS, Recurrence

TEHRAN = ZoneInfo("Asia/Tehran")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")

Wall = tuple[int, int, int, int, int]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def june(day: int, hour: int, minute: int = 0) -> Wall:
    return (2026, 6, day, hour, minute)


def december(day: int, hour: int, minute: int = 0, year: int = 2026) -> Wall:
    return (year, 12, day, hour, minute)


TODAY_1800, TOMORROW_0900, IN_TWO_HOURS = june(10, 18), june(11, 9), june(10, 16)
DEC_1_0900, DEC_1_1000, DEC_1_2027 = december(1, 9), december(1, 10), december(1, 9, year=2027)
NEXT_MONDAY, FRIDAY_0900, FRIDAY_1800 = june(15, 9), june(12, 9), june(12, 18)

# (language, phrase, local wall time it is due at)
WALL_CLOCK_PHRASES: list[tuple[str, str, Wall]] = [
    # English: forms the English table gained with the other languages
    ("en", "the day after tomorrow", june(12, 9)),
    ("en", "tomorrow at noon", june(11, 12)),
    ("en", "in half an hour", june(10, 14, 30)),
    ("en", "2 hours from now", IN_TWO_HOURS),
    ("en", "in 1h30", june(10, 15, 30)),
    ("en", "this friday", FRIDAY_0900),
    ("en", "tomorrow 9 in the evening", june(11, 21)),
    ("en", "1.12.", DEC_1_0900),
    # Russian
    ("ru", "завтра в 9:00", TOMORROW_0900),
    ("ru", "завтра", TOMORROW_0900),
    ("ru", "Завтра в 9 часов", TOMORROW_0900),
    ("ru", "завтра утром", TOMORROW_0900),
    ("ru", "завтра в 9 утра", TOMORROW_0900),
    ("ru", "завтра вечером", june(11, 19)),
    ("ru", "завтра днём", june(11, 15)),
    ("ru", "сегодня в 18:00", TODAY_1800),
    ("ru", "сегодня вечером", june(10, 19)),
    ("ru", "вечером в 8", june(10, 20)),
    ("ru", "в 3 часа дня", june(10, 15)),
    ("ru", "в 10 вечера", june(10, 22)),
    ("ru", "в 2 ночи", june(11, 2)),
    ("ru", "в 12 ночи", june(11, 0)),
    ("ru", "в 13:00", june(11, 13)),
    ("ru", "послезавтра", june(12, 9)),
    ("ru", "послезавтра в полдень", june(12, 12)),
    ("ru", "через 2 часа", IN_TWO_HOURS),
    ("ru", "через час", june(10, 15)),
    ("ru", "через полчаса", june(10, 14, 30)),
    ("ru", "через полтора часа", june(10, 15, 30)),
    ("ru", "через 10 минут", june(10, 14, 10)),
    ("ru", "через 1 час 30 минут", june(10, 15, 30)),
    ("ru", "через 3 дня", june(13, 14)),
    ("ru", "через неделю", june(17, 14)),
    ("ru", "в пятницу", FRIDAY_0900),
    ("ru", "в пятницу в 18:00", FRIDAY_1800),
    ("ru", "во вторник", june(16, 9)),
    ("ru", "в среду в 15:00", june(10, 15)),
    ("ru", "в среду", june(17, 9)),
    ("ru", "пт 18:00", FRIDAY_1800),
    ("ru", "в эту субботу", june(13, 9)),
    ("ru", "в следующий понедельник", NEXT_MONDAY),
    ("ru", "в следующую среду", june(17, 9)),
    ("ru", "на следующей неделе", NEXT_MONDAY),
    ("ru", "1 декабря", DEC_1_0900),
    ("ru", "1 декабря в 10:00", DEC_1_1000),
    ("ru", "1 дек.", DEC_1_0900),
    ("ru", "1 декабря 2027 года", DEC_1_2027),
    ("ru", "1 мая", (2027, 5, 1, 9, 0)),
    ("ru", "10 июня в 15:00", june(10, 15)),
    ("ru", "31.12.2026", december(31, 9)),
    # Ukrainian
    ("uk", "завтра о 9:00", TOMORROW_0900),
    ("uk", "завтра", TOMORROW_0900),
    ("uk", "завтра вранці", TOMORROW_0900),
    ("uk", "завтра о 9 ранку", TOMORROW_0900),
    ("uk", "завтра ввечері", june(11, 19)),
    ("uk", "сьогодні о 18:00", TODAY_1800),
    ("uk", "сьогодні ввечері", june(10, 19)),
    ("uk", "о 10 вечора", june(10, 22)),
    ("uk", "о 2 ночі", june(11, 2)),
    ("uk", "о 9 годині", TOMORROW_0900),
    ("uk", "післязавтра", june(12, 9)),
    ("uk", "післязавтра опівдні", june(12, 12)),
    ("uk", "через 2 години", IN_TWO_HOURS),
    ("uk", "через годину", june(10, 15)),
    ("uk", "за годину", june(10, 15)),
    ("uk", "через півгодини", june(10, 14, 30)),
    ("uk", "через півтори години", june(10, 15, 30)),
    ("uk", "через 10 хвилин", june(10, 14, 10)),
    ("uk", "через 3 дні", june(13, 14)),
    ("uk", "через тиждень", june(17, 14)),
    ("uk", "у п'ятницю", FRIDAY_0900),
    ("uk", "в п’ятницю о 18:00", FRIDAY_1800),
    ("uk", "у пʼятницю", FRIDAY_0900),
    ("uk", "у вівторок", june(16, 9)),
    ("uk", "в середу", june(17, 9)),
    ("uk", "у неділю", june(14, 9)),
    ("uk", "у четвер", TOMORROW_0900),
    ("uk", "в цю суботу", june(13, 9)),
    ("uk", "пт 18:00", FRIDAY_1800),
    ("uk", "наступного понеділка", NEXT_MONDAY),
    ("uk", "у наступний понеділок о 10", june(15, 10)),
    ("uk", "наступного тижня", NEXT_MONDAY),
    ("uk", "1 грудня", DEC_1_0900),
    ("uk", "1 грудня о 10:00", DEC_1_1000),
    ("uk", "1 груд.", DEC_1_0900),
    ("uk", "1 грудня 2027 року", DEC_1_2027),
    # Spanish
    ("es", "mañana 9:00", TOMORROW_0900),
    ("es", "manana a las 9", TOMORROW_0900),
    ("es", "mañana", TOMORROW_0900),
    ("es", "mañana por la mañana", TOMORROW_0900),
    ("es", "mañana a las 8 de la tarde", june(11, 20)),
    ("es", "mañana por la noche", june(11, 20)),
    ("es", "hoy a las 18:00", TODAY_1800),
    ("es", "esta noche", june(10, 20)),
    ("es", "esta tarde a las 5", june(10, 17)),
    ("es", "a las 2 de la madrugada", june(11, 2)),
    ("es", "a las 9:00 h", TOMORROW_0900),
    ("es", "pasado mañana", june(12, 9)),
    ("es", "pasado mañana al mediodía", june(12, 12)),
    ("es", "en 2 horas", IN_TWO_HOURS),
    ("es", "dentro de 2 horas", IN_TWO_HOURS),
    ("es", "en una hora", june(10, 15)),
    ("es", "en media hora", june(10, 14, 30)),
    ("es", "en una hora y media", june(10, 15, 30)),
    ("es", "en 10 minutos", june(10, 14, 10)),
    ("es", "en 3 días", june(13, 14)),
    ("es", "en una semana", june(17, 14)),
    ("es", "el viernes", FRIDAY_0900),
    ("es", "viernes 18:00", FRIDAY_1800),
    ("es", "el miércoles a las 15:00", june(10, 15)),
    ("es", "el miercoles", june(17, 9)),
    ("es", "sábado", june(13, 9)),
    ("es", "este viernes", FRIDAY_0900),
    ("es", "el próximo lunes", NEXT_MONDAY),
    ("es", "el lunes que viene", NEXT_MONDAY),
    ("es", "la próxima semana", NEXT_MONDAY),
    ("es", "la semana que viene", NEXT_MONDAY),
    ("es", "1 de diciembre", DEC_1_0900),
    ("es", "el 1 de diciembre a las 10", DEC_1_1000),
    ("es", "1 de diciembre de 2027", DEC_1_2027),
    ("es", "1 dic", DEC_1_0900),
    ("es", "1 de septiembre", (2026, 9, 1, 9, 0)),
    # Brazilian Portuguese
    ("pt-BR", "amanhã às 9h", TOMORROW_0900),
    ("pt-BR", "amanha as 9h", TOMORROW_0900),
    ("pt-BR", "amanhã 9:00", TOMORROW_0900),
    ("pt-BR", "amanhã", TOMORROW_0900),
    ("pt-BR", "amanhã de manhã", TOMORROW_0900),
    ("pt-BR", "amanhã às 8 da noite", june(11, 20)),
    ("pt-BR", "hoje às 18h", TODAY_1800),
    ("pt-BR", "hoje à noite", june(10, 20)),
    ("pt-BR", "esta noite", june(10, 20)),
    ("pt-BR", "hoje à tarde", june(10, 15)),
    ("pt-BR", "às 15h30", june(10, 15, 30)),
    ("pt-BR", "depois de amanhã", june(12, 9)),
    ("pt-BR", "depois de amanhã ao meio-dia", june(12, 12)),
    ("pt-BR", "em 2 horas", IN_TWO_HOURS),
    ("pt-BR", "daqui a 2 horas", IN_TWO_HOURS),
    ("pt-BR", "daqui 30 minutos", june(10, 14, 30)),
    ("pt-BR", "em 1h30", june(10, 15, 30)),
    ("pt-BR", "em meia hora", june(10, 14, 30)),
    ("pt-BR", "em uma hora", june(10, 15)),
    ("pt-BR", "em 3 dias", june(13, 14)),
    ("pt-BR", "em uma semana", june(17, 14)),
    ("pt-BR", "segunda", NEXT_MONDAY),
    ("pt-BR", "na segunda", NEXT_MONDAY),
    ("pt-BR", "segunda-feira 18h", june(15, 18)),
    ("pt-BR", "terça", june(16, 9)),
    ("pt-BR", "quarta às 15h", june(10, 15)),
    ("pt-BR", "sábado 9h30", june(13, 9, 30)),
    ("pt-BR", "sexta às 18h30", june(12, 18, 30)),
    ("pt-BR", "na próxima segunda", NEXT_MONDAY),
    ("pt-BR", "segunda que vem", NEXT_MONDAY),
    ("pt-BR", "semana que vem", NEXT_MONDAY),
    ("pt-BR", "próxima semana", NEXT_MONDAY),
    ("pt-BR", "1 de dezembro", DEC_1_0900),
    ("pt-BR", "1º de dezembro às 10h", DEC_1_1000),
    ("pt-BR", "dia 1 de dezembro", DEC_1_0900),
    ("pt-BR", "1 de dezembro de 2027", DEC_1_2027),
    ("pt-BR", "1 dez", DEC_1_0900),
    ("pt-BR", "5 de março", (2027, 3, 5, 9, 0)),
    # German
    ("de", "morgen 9:00", TOMORROW_0900),
    ("de", "morgen um 9", TOMORROW_0900),
    ("de", "morgen um 9 Uhr", TOMORROW_0900),
    ("de", "morgen", TOMORROW_0900),
    ("de", "morgen früh", TOMORROW_0900),
    ("de", "morgen Abend", june(11, 19)),
    ("de", "morgen abend um 8", june(11, 20)),
    ("de", "heute Abend", june(10, 19)),
    ("de", "heute 18 Uhr", TODAY_1800),
    ("de", "um 20 Uhr abends", june(10, 20)),
    ("de", "um 2 Uhr nachts", june(11, 2)),
    ("de", "übermorgen", june(12, 9)),
    ("de", "uebermorgen mittag", june(12, 12)),
    ("de", "in 2 Stunden", IN_TWO_HOURS),
    ("de", "in einer Stunde", june(10, 15)),
    ("de", "in einer halben Stunde", june(10, 14, 30)),
    ("de", "in anderthalb Stunden", june(10, 15, 30)),
    ("de", "in 10 Minuten", june(10, 14, 10)),
    ("de", "in 3 Tagen", june(13, 14)),
    ("de", "in einer Woche", june(17, 14)),
    ("de", "am Freitag", FRIDAY_0900),
    ("de", "Freitag 18 Uhr", FRIDAY_1800),
    ("de", "am Mittwoch um 15 Uhr", june(10, 15)),
    ("de", "Mittwoch", june(17, 9)),
    ("de", "Do 14:00", june(11, 14)),
    ("de", "diesen Freitag", FRIDAY_0900),
    ("de", "nächsten Montag", NEXT_MONDAY),
    ("de", "am nächsten Montag", NEXT_MONDAY),
    ("de", "naechsten Montag um 10", june(15, 10)),
    ("de", "nächste Woche", NEXT_MONDAY),
    ("de", "1. Dezember", DEC_1_0900),
    ("de", "am 1. Dezember um 10 Uhr", DEC_1_1000),
    ("de", "1. Dez.", DEC_1_0900),
    ("de", "1.12.", DEC_1_0900),
    ("de", "1. Dezember 2027", DEC_1_2027),
    ("de", "3. März", (2027, 3, 3, 9, 0)),
    ("de", "3. Maerz", (2027, 3, 3, 9, 0)),
    # Persian
    ("fa", "فردا ۹:۰۰", TOMORROW_0900),
    ("fa", "فردا ٩:٠٠", TOMORROW_0900),  # Arabic-Indic digits
    ("fa", "فردا", TOMORROW_0900),
    ("fa", "فردا ساعت ۹", TOMORROW_0900),
    ("fa", "فردا ساعت ۹ صبح", TOMORROW_0900),
    ("fa", "فردا صبح", TOMORROW_0900),
    ("fa", "فردا شب", june(11, 20)),
    ("fa", "فردا ساعت ۸ شب", june(11, 20)),
    ("fa", "امشب", june(10, 20)),
    ("fa", "امروز ساعت ۱۸", TODAY_1800),
    ("fa", "امروز عصر", june(10, 15)),
    ("fa", "ساعت ۲ شب", june(11, 2)),
    ("fa", "پس‌فردا", june(12, 9)),
    ("fa", "پس فردا ظهر", june(12, 12)),
    ("fa", "۲ ساعت دیگر", IN_TWO_HOURS),
    ("fa", "۲ ساعت دیگه", IN_TWO_HOURS),
    ("fa", "یک ساعت دیگر", june(10, 15)),
    ("fa", "نیم ساعت دیگر", june(10, 14, 30)),
    ("fa", "یک ساعت و نیم دیگر", june(10, 15, 30)),
    ("fa", "۱۰ دقیقه دیگر", june(10, 14, 10)),
    ("fa", "بعد از ۲ ساعت", IN_TWO_HOURS),
    ("fa", "۳ روز دیگر", june(13, 14)),
    ("fa", "یک هفته دیگر", june(17, 14)),
    ("fa", "دوشنبه", NEXT_MONDAY),
    ("fa", "دوشنبه ساعت ۱۰", june(15, 10)),
    ("fa", "سه‌شنبه", june(16, 9)),
    ("fa", "سه شنبه", june(16, 9)),
    ("fa", "پنج‌شنبه", TOMORROW_0900),
    ("fa", "جمعه ساعت ۱۸:۳۰", june(12, 18, 30)),
    ("fa", "شنبه", june(13, 9)),
    ("fa", "يکشنبه", june(14, 9)),  # with an Arabic yeh
    ("fa", "روز دوشنبه", NEXT_MONDAY),
    ("fa", "دوشنبه آینده", NEXT_MONDAY),
    ("fa", "دوشنبه‌ی آینده", NEXT_MONDAY),
    ("fa", "چهارشنبه بعد", june(17, 9)),
    ("fa", "هفته بعد", NEXT_MONDAY),
    ("fa", "۱ دسامبر", DEC_1_0900),
    ("fa", "۱ دسامبر ۲۰۲۷", DEC_1_2027),
    ("fa", "۱ دسامبر ساعت ۱۰", DEC_1_1000),
    ("fa", "۱۵ مارس", (2027, 3, 15, 9, 0)),
]


@pytest.mark.parametrize("tz", [TEHRAN, SAO_PAULO], ids=str)
@pytest.mark.parametrize(("language", "phrase", "expected"), WALL_CLOCK_PHRASES, ids=str)
def test_phrase_in_the_chats_language_is_due_at_the_expected_local_time(
    tz: ZoneInfo, language: str, phrase: str, expected: Wall
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=tz)
    due = parse_when(phrase, now=now, tz=tz, language=language).due_at
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(tz).replace(tzinfo=None) == datetime(*expected)


def test_every_language_has_thirty_phrases_in_the_table() -> None:
    for code in LANGUAGES[1:]:
        count = sum(language_code(language) == code for language, _, _ in WALL_CLOCK_PHRASES)
        assert count >= 30, code


@pytest.mark.parametrize(
    ("language", "phrase", "expected_utc"),
    [
        ("ru", "завтра в 9:00", utc(2026, 6, 11, 5, 30)),
        ("fa", "فردا ۹:۰۰", utc(2026, 6, 11, 5, 30)),
        ("de", "in 2 Stunden", utc(2026, 6, 10, 12, 30)),
        ("es", "1 de diciembre", utc(2026, 12, 1, 5, 30)),
    ],
    ids=str,
)
def test_phrase_is_the_right_utc_instant_in_tehran(
    language: str, phrase: str, expected_utc: datetime
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=TEHRAN)
    assert parse_when(phrase, now=now, tz=TEHRAN, language=language).due_at == expected_utc


# Each language's words for the same moments around a DST change: Berlin springs forward in
# the night after Saturday 28 March 2026 (now: 12:00 CET, 11:00 UTC), New York falls back in
# the night after Saturday 31 October 2026 (now: 12:00 EDT, 16:00 UTC).
SPRING = (BERLIN, utc(2026, 3, 28, 11, 0))
FALL = (NEW_YORK, utc(2026, 10, 31, 16, 0))
DST_MOMENTS = [
    (SPRING, utc(2026, 3, 29, 1, 30)),  # tomorrow 2:30 does not exist: 03:30 CEST
    (SPRING, utc(2026, 3, 29, 7, 0)),  # tomorrow 9:00 CEST
    (SPRING, utc(2026, 3, 29, 10, 0)),  # in 1 day: the same wall time, 23 hours on
    (SPRING, utc(2026, 3, 29, 11, 0)),  # in 24 hours
    (SPRING, utc(2026, 3, 29, 7, 0)),  # every day 9:00: first on Sunday, CEST
    (FALL, utc(2026, 11, 1, 5, 30)),  # tomorrow 1:30 happens twice: the first, EDT
    (FALL, utc(2026, 11, 1, 14, 0)),  # sunday 9:00 EST
    (FALL, utc(2026, 11, 2, 17, 0)),  # in 2 days: Monday 12:00 EST
]
DST_PHRASES = {
    "en": ["tomorrow 2:30", "tomorrow 9:00", "in 1 day", "in 24 hours", "every day 9:00",
           "tomorrow 1:30", "sunday 9:00", "in 2 days"],
    "ru": ["завтра в 2:30", "завтра в 9:00", "через 1 день", "через 24 часа",
           "каждый день в 9:00", "завтра в 1:30", "в воскресенье в 9:00", "через 2 дня"],
    "uk": ["завтра о 2:30", "завтра о 9:00", "через 1 день", "через 24 години",
           "щодня о 9:00", "завтра о 1:30", "у неділю о 9:00", "через 2 дні"],
    "es": ["mañana a las 2:30", "mañana 9:00", "en 1 día", "en 24 horas",
           "todos los días a las 9:00", "mañana a la 1:30", "el domingo a las 9:00",
           "en 2 días"],
    "pt-BR": ["amanhã às 2h30", "amanhã às 9h", "em 1 dia", "em 24 horas", "todo dia às 9h",
              "amanhã à 1h30", "domingo às 9h", "daqui a 2 dias"],
    "de": ["morgen um 2:30", "morgen um 9 Uhr", "in 1 Tag", "in 24 Stunden",
           "jeden Tag um 9:00", "morgen um 1:30", "am Sonntag um 9 Uhr", "in 2 Tagen"],
    "fa": ["فردا ساعت ۲:۳۰", "فردا ساعت ۹", "۱ روز دیگر", "۲۴ ساعت دیگر", "هر روز ساعت ۹",
           "فردا ساعت ۱:۳۰", "یکشنبه ساعت ۹", "۲ روز دیگر"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "phrase", "zone_and_now", "expected_utc"),
    [
        (language, phrase, *moment)
        for language, phrases in DST_PHRASES.items()
        for phrase, moment in zip(phrases, DST_MOMENTS, strict=True)
    ],
    ids=str,
)
def test_phrase_in_the_chats_language_around_a_dst_change(
    language: str,
    phrase: str,
    zone_and_now: tuple[ZoneInfo, datetime],
    expected_utc: datetime,
) -> None:
    tz, now = zone_and_now
    assert parse_when(phrase, now=now, tz=tz, language=language).due_at == expected_utc


def daily(hour: int, minute: int = 0, until: date | None = None) -> Recurrence:
    return Recurrence("daily", hour, minute, until=until)


def weekly(weekday: int, hour: int = 9, minute: int = 0, until: date | None = None) -> Recurrence:
    return Recurrence("weekly", hour, minute, weekdays=(weekday,), until=until)


def weekdays(hour: int, minute: int = 0) -> Recurrence:
    return Recurrence("weekly", hour, minute, weekdays=WORKDAYS)


DEC_31 = date(2026, 12, 31)
REPEATING_PHRASES: list[tuple[str, str, Recurrence]] = [
    ("en", "every evening", daily(19)),
    ("en", "every friday at 6pm until dec 31", weekly(4, 18, until=DEC_31)),
    ("ru", "каждый день в 8:00", daily(8)),
    ("ru", "ежедневно в 7:00", daily(7)),
    ("ru", "каждый понедельник в 9:00", weekly(0)),
    ("ru", "каждую пятницу", weekly(4)),
    ("ru", "по понедельникам в 9", weekly(0)),
    ("ru", "по средам в 18:30", weekly(2, 18, 30)),
    ("ru", "каждое воскресенье в 10", weekly(6, 10)),
    ("ru", "по будням в 8:30", weekdays(8, 30)),
    ("ru", "каждый будний день в 9", weekdays(9)),
    ("ru", "каждое утро", daily(9)),
    ("ru", "каждый вечер в 21:00", daily(21)),
    ("ru", "каждый день в 8:00 до 31 декабря", daily(8, until=DEC_31)),
    ("ru", "каждую субботу до 2027-01-31", weekly(5, until=date(2027, 1, 31))),
    ("uk", "кожного дня о 8:00", daily(8)),
    ("uk", "щодня о 8", daily(8)),
    ("uk", "щопонеділка о 9:00", weekly(0)),
    ("uk", "кожен понеділок о 9", weekly(0)),
    ("uk", "кожної п'ятниці", weekly(4)),
    ("uk", "по понеділках", weekly(0)),
    ("uk", "щочетверга о 18:00", weekly(3, 18)),
    ("uk", "у будні о 8:30", weekdays(8, 30)),
    ("uk", "щоранку", daily(9)),
    ("uk", "щодня до 31 грудня", daily(9, until=DEC_31)),
    ("es", "cada lunes 9:00", weekly(0)),
    ("es", "todos los lunes a las 9", weekly(0)),
    ("es", "todos los días a las 8", daily(8)),
    ("es", "cada día a las 8:00 hasta el 31 de diciembre", daily(8, until=DEC_31)),
    ("es", "todos los sábados", weekly(5)),
    ("es", "de lunes a viernes a las 8:30", weekdays(8, 30)),
    ("es", "diariamente a las 7", daily(7)),
    ("es", "todas las noches a las 10", daily(22)),
    ("pt-BR", "toda segunda 9h", weekly(0)),
    ("pt-BR", "toda segunda-feira às 9h", weekly(0)),
    ("pt-BR", "todo dia às 8h", daily(8)),
    ("pt-BR", "todos os dias às 8h até 31 de dezembro", daily(8, until=DEC_31)),
    ("pt-BR", "todas as segundas", weekly(0)),
    ("pt-BR", "todos os sábados às 10h", weekly(5, 10)),
    ("pt-BR", "dias úteis às 8h", weekdays(8)),
    ("pt-BR", "de segunda a sexta às 8h", weekdays(8)),
    ("pt-BR", "diariamente", daily(9)),
    ("pt-BR", "toda sexta até 2027-01-31", weekly(4, until=date(2027, 1, 31))),
    ("de", "jeden Montag 9:00", weekly(0)),
    ("de", "jeden Montag um 9 Uhr bis 31. Dezember", weekly(0, until=DEC_31)),
    ("de", "montags 9 Uhr", weekly(0)),
    ("de", "freitags", weekly(4)),
    ("de", "jeden Tag um 8", daily(8)),
    ("de", "täglich um 8:00", daily(8)),
    ("de", "taeglich", daily(9)),
    ("de", "werktags 8:30", weekdays(8, 30)),
    ("de", "jeden Werktag um 7", weekdays(7)),
    ("de", "jeden Morgen", daily(9)),
    ("de", "jeden Abend um 21 Uhr", daily(21)),
    ("de", "jeden Tag bis Freitag", daily(9, until=date(2026, 6, 12))),
    ("fa", "هر روز ساعت ۸", daily(8)),
    ("fa", "هر دوشنبه ساعت ۹", weekly(0)),
    ("fa", "هر روز ساعت ۸ تا ۳۱ دسامبر", daily(8, until=DEC_31)),
    ("fa", "هر شب ساعت ۲۲", daily(22)),
    ("fa", "هر صبح", daily(9)),
    ("fa", "هر جمعه", weekly(4)),
    ("fa", "روزانه ساعت ۷", daily(7)),
]


@pytest.mark.parametrize(("language", "phrase", "expected"), REPEATING_PHRASES, ids=str)
def test_repeating_phrase_in_the_chats_language_gives_the_rule(
    language: str, phrase: str, expected: Recurrence
) -> None:
    now = utc(2026, 6, 10, 14, 0)
    when = parse_when(phrase, now=now, tz=UTC_ZONE, language=language)
    assert when.recurrence == expected
    assert when.due_at == expected.next_after(now, UTC_ZONE)


# The repeats of issue #18 in every language. Now is Wednesday 10 June 2026, 14:00: an
# interval counts from its first time (Friday 12 June for every other Friday, tomorrow 09:00
# for a bare interval), which becomes its start.
OTHER_FRIDAY = Recurrence("weekly", 9, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12))
TWO_WEEKS = Recurrence("weekly", 9, 0, interval=2, weekdays=(3,), start=date(2026, 6, 11))
THREE_DAYS = Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11))
ON_THE_15TH = Recurrence("monthly", 9, 0, month_day=15)
LAST_DAY = Recurrence("monthly", 9, 0, month_day=LAST)
FIRST_MONDAY = Recurrence("monthly", 9, 0, nth=1, weekdays=(0,))
DEC_1_YEARLY = Recurrence("yearly", 9, 0, month=12, month_day=1)
THREE_DAYS_FROM_DONE = Recurrence("daily", 9, 0, interval=3, from_done=True)
FIRST_TIMES = {
    OTHER_FRIDAY: june(12, 9),
    TWO_WEEKS: june(11, 9),
    THREE_DAYS: june(11, 9),
    ON_THE_15TH: june(15, 9),
    LAST_DAY: june(30, 9),
    FIRST_MONDAY: (2026, 7, 6, 9, 0),
    DEC_1_YEARLY: DEC_1_0900,
    THREE_DAYS_FROM_DONE: june(11, 9),  # the next 09:00; then three days after each completion
}
NEW_REPEATS: list[tuple[str, str, Recurrence]] = [
    ("en", "every other friday", OTHER_FRIDAY),
    ("en", "every 2 weeks", TWO_WEEKS),
    ("en", "every 3 days", THREE_DAYS),
    ("en", "every month on the 15th", ON_THE_15TH),
    ("en", "every last day of the month", LAST_DAY),
    ("en", "every first monday", FIRST_MONDAY),
    ("en", "every year on dec 1", DEC_1_YEARLY),
    ("en", "every! 3 days", THREE_DAYS_FROM_DONE),
    ("ru", "каждую вторую пятницу", OTHER_FRIDAY),
    ("ru", "каждые 2 недели", TWO_WEEKS),
    ("ru", "каждые 3 дня", THREE_DAYS),
    ("ru", "каждый месяц 15 числа", ON_THE_15TH),
    ("ru", "каждый последний день месяца", LAST_DAY),
    ("ru", "каждый первый понедельник", FIRST_MONDAY),
    ("ru", "каждый год 1 декабря", DEC_1_YEARLY),
    ("ru", "каждые! 3 дня", THREE_DAYS_FROM_DONE),
    ("uk", "кожну другу п'ятницю", OTHER_FRIDAY),
    ("uk", "кожні 2 тижні", TWO_WEEKS),
    ("uk", "кожні 3 дні", THREE_DAYS),
    ("uk", "кожного місяця 15 числа", ON_THE_15TH),
    ("uk", "кожен останній день місяця", LAST_DAY),
    ("uk", "кожен перший понеділок", FIRST_MONDAY),
    ("uk", "щороку 1 грудня", DEC_1_YEARLY),
    ("uk", "кожні! 3 дні", THREE_DAYS_FROM_DONE),
    ("es", "cada dos viernes", OTHER_FRIDAY),
    ("es", "cada 2 semanas", TWO_WEEKS),
    ("es", "cada 3 días", THREE_DAYS),
    ("es", "cada mes el día 15", ON_THE_15TH),
    ("es", "el último día de cada mes", LAST_DAY),
    ("es", "cada primer lunes", FIRST_MONDAY),
    ("es", "cada año el 1 de diciembre", DEC_1_YEARLY),
    ("es", "cada! 3 días", THREE_DAYS_FROM_DONE),
    ("pt-BR", "a cada duas sextas", OTHER_FRIDAY),
    ("pt-BR", "a cada 2 semanas", TWO_WEEKS),
    ("pt-BR", "a cada 3 dias", THREE_DAYS),
    ("pt-BR", "todo mês no dia 15", ON_THE_15TH),
    ("pt-BR", "todo último dia do mês", LAST_DAY),
    ("pt-BR", "toda primeira segunda-feira", FIRST_MONDAY),
    ("pt-BR", "todo ano no dia 1 de dezembro", DEC_1_YEARLY),
    ("pt-BR", "a cada! 3 dias", THREE_DAYS_FROM_DONE),
    ("de", "jeden zweiten Freitag", OTHER_FRIDAY),
    ("de", "alle 2 Wochen", TWO_WEEKS),
    ("de", "alle 3 Tage", THREE_DAYS),
    ("de", "jeden Monat am 15.", ON_THE_15TH),
    ("de", "jeden letzten Tag des Monats", LAST_DAY),
    ("de", "jeden ersten Montag", FIRST_MONDAY),
    ("de", "jedes Jahr am 1. Dezember", DEC_1_YEARLY),
    ("de", "alle! 3 Tage", THREE_DAYS_FROM_DONE),
    ("fa", "هر دو جمعه", OTHER_FRIDAY),
    ("fa", "هر ۲ هفته", TWO_WEEKS),
    ("fa", "هر ۳ روز", THREE_DAYS),
    ("fa", "هر ماه روز ۱۵", ON_THE_15TH),
    ("fa", "آخرین روز هر ماه", LAST_DAY),
    ("fa", "اولین دوشنبه هر ماه", FIRST_MONDAY),
    ("fa", "هر سال ۱ دسامبر", DEC_1_YEARLY),
    ("fa", "هر! ۳ روز", THREE_DAYS_FROM_DONE),
]


@pytest.mark.parametrize("tz", [TEHRAN, SAO_PAULO], ids=str)
@pytest.mark.parametrize(("language", "phrase", "expected"), NEW_REPEATS, ids=str)
def test_each_new_repeat_in_each_language_gives_the_rule_and_its_first_time(
    tz: ZoneInfo, language: str, phrase: str, expected: Recurrence
) -> None:
    when = parse_when(
        phrase, now=datetime(2026, 6, 10, 14, 0, tzinfo=tz), tz=tz, language=language
    )
    assert when.recurrence == expected
    assert when.due_at.astimezone(tz).replace(tzinfo=None) == datetime(*FIRST_TIMES[expected])


def test_every_language_has_each_new_repeat() -> None:
    for code in LANGUAGES:
        phrases = [rule for language, _, rule in NEW_REPEATS if language_code(language) == code]
        assert sorted(map(Recurrence.encode, phrases)) == sorted(
            map(Recurrence.encode, FIRST_TIMES)
        ), code


# (language, phrase, minutes before the due time): "remind ... before" after any due time
REMINDERS_BEFORE = [
    ("en", "fri 18:00 remind 1d 1h before", (1440, 60)),
    ("en", "every other friday 18:00 remind 1 day before", (1440,)),
    ("en", "tomorrow 9:00 remind 1h30m before", (90,)),
    ("ru", "в пятницу в 18:00 напомнить за 1 день и за 1 час", (1440, 60)),
    ("ru", "завтра в 9:00 напомнить за час", (60,)),
    ("uk", "у п'ятницю о 18:00 нагадати за 1 день", (1440,)),
    ("es", "el viernes a las 18 recordar 1 día antes", (1440,)),
    ("pt-BR", "sexta às 18h lembrar 1 dia e 1 hora antes", (1440, 60)),
    ("de", "Freitag 18 Uhr erinnern 1 Tag vorher", (1440,)),
    ("fa", "جمعه ساعت ۱۸ یادآوری ۱ روز قبل", (1440,)),
]


@pytest.mark.parametrize(("language", "phrase", "minutes"), REMINDERS_BEFORE, ids=str)
def test_reminders_before_the_due_time_in_each_language(
    language: str, phrase: str, minutes: tuple[int, ...]
) -> None:
    when = parse_when(phrase, now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language=language)
    assert when.remind_before == minutes
    assert when.due_at.astimezone(UTC_ZONE).hour in (9, 18)


@pytest.mark.parametrize(
    ("language", "text", "minutes"),
    [
        ("en", "1d 1h before", (1440, 60)),
        ("en", "30m", (30,)),
        ("ru", "за 1 день", (1440,)),
        ("uk", "1 день", (1440,)),
        ("es", "1 hora antes", (60,)),
        ("pt-BR", "2 horas antes", (120,)),
        ("de", "1 Tag vorher", (1440,)),
        ("fa", "۱ ساعت قبل", (60,)),
    ],
    ids=str,
)
def test_remind_command_words_in_each_language(
    language: str, text: str, minutes: tuple[int, ...]
) -> None:
    assert parse_reminders(text, language=language) == minutes


# (language, phrase, the kind of refusal)
REFUSED_PHRASES = [
    # a title is never a date
    ("ru", "купить 2 молока", "unreadable"),
    ("uk", "купити 2 молока", "unreadable"),
    ("es", "comprar 2 leches", "unreadable"),
    ("pt-BR", "comprar 2 leites", "unreadable"),
    ("de", "Milch 2 kaufen", "unreadable"),
    ("fa", "۲ شیر بخر", "unreadable"),
    # half a phrase, or a word too many
    ("ru", "завтра завтра", "unreadable"),
    ("ru", "в", "unreadable"),
    ("ru", "следующий", "unreadable"),
    ("ru", "до пятницы", "unreadable"),
    ("uk", "наступного", "unreadable"),
    ("uk", "до неділі", "unreadable"),
    ("es", "próximo", "unreadable"),
    ("es", "hasta el viernes", "unreadable"),
    ("pt-BR", "próxima", "unreadable"),
    ("pt-BR", "até sexta", "unreadable"),
    ("de", "nächsten", "unreadable"),
    ("de", "bis Freitag", "unreadable"),
    ("fa", "آینده", "unreadable"),
    ("fa", "۲ ساعت", "unreadable"),
    ("fa", "ی", "unreadable"),  # a word that only joins others is no time
    ("en", ",", "unreadable"),  # two hours, or two o'clock? Neither without "دیگر"
    # "mar" is martes and marzo: neither is guessed
    ("es", "mar 9:00", "unreadable"),
    ("es", "1 de mar", "unreadable"),
    # another language than the chat's and English
    ("de", "mañana 9:00", "unreadable"),
    ("ru", "morgen 9:00", "unreadable"),
    ("en", "завтра в 9:00", "unreadable"),
    # understood, but not a time that can be
    ("ru", "через 2 месяца", "not_duration"),
    ("uk", "через 2 місяці", "not_duration"),
    ("es", "en 2 meses", "not_duration"),
    ("pt-BR", "em 2 meses", "not_duration"),
    ("de", "in 2 Monaten", "not_duration"),
    ("fa", "۲ ماه دیگر", "not_duration"),
    ("ru", "31 февраля", "no_such_day"),
    ("uk", "30 лютого", "no_such_day"),
    ("es", "30 de febrero", "no_such_day"),
    ("pt-BR", "31 de abril", "no_such_day"),
    ("de", "30. Februar", "no_such_day"),
    ("fa", "۳۰ فوریه", "no_such_day"),
    ("ru", "сегодня в 8:00", "passed"),
    ("uk", "сьогодні о 8:00", "passed"),
    ("es", "hoy a las 8:00", "passed"),
    ("pt-BR", "hoje às 8h", "passed"),
    ("de", "heute 8 Uhr", "passed"),
    ("fa", "امروز ساعت ۸", "passed"),
    ("ru", "завтра в 25:00", "not_time_of_day"),
    ("uk", "о 24:00", "not_time_of_day"),
    ("es", "a las 25", "not_time_of_day"),
    ("pt-BR", "às 25h", "not_time_of_day"),
    ("de", "um 25 Uhr", "not_time_of_day"),
    ("fa", "ساعت ۲۵", "not_time_of_day"),
    ("ru", "каждый день до никогда", "bad_until"),
    ("en", "every 2nd friday", "ambiguous_nth"),
    ("de", "jeden dritten Freitag", "ambiguous_nth"),
    ("en", "every 0 days", "bad_repeat"),
    ("en", "every! friday", "unreadable"),
    ("en", "every 400 days", "interval_too_long"),
    ("ru", "каждые 60 недель", "interval_too_long"),
    ("en", "fri 18:00 remind", "bad_reminders"),
    ("ru", "завтра напомнить за", "bad_reminders"),
    ("en", "fri 18:00 remind 5 weeks before", "reminders_limit"),
    ("de", "erinnern 1 Tag vorher", "unreadable"),
    ("uk", "щодня до колись", "bad_until"),
    ("es", "cada día hasta nunca", "bad_until"),
    ("pt-BR", "todo dia até nunca", "bad_until"),
    ("de", "jeden Tag bis nie", "bad_until"),
    ("fa", "هر روز تا هرگز", "bad_until"),
    ("ru", "через 300 недель", "too_far"),
    ("de", "in 300 Wochen", "too_far"),
    ("ru", "каждый день до сегодня 8:00", "bad_until"),
    ("de", "jeden Tag 9:00 bis heute", "until_before_start"),
]


@pytest.mark.parametrize(("language", "phrase", "kind"), REFUSED_PHRASES, ids=str)
def test_phrase_is_refused_with_the_kind_of_reason(language: str, phrase: str, kind: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(phrase, now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language=language)
    assert caught.value.kind == kind


@pytest.mark.parametrize("language", ["ru", "uk", "es", "pt-BR", "de", "fa"])
@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("tomorrow 9:00", TOMORROW_0900), ("in 2 hours", IN_TWO_HOURS), ("9 am", TOMORROW_0900)],
)
def test_english_is_read_in_every_chat(language: str, phrase: str, expected: Wall) -> None:
    now = utc(2026, 6, 10, 14, 0)
    due = parse_when(phrase, now=now, tz=UTC_ZONE, language=language).due_at
    assert due == datetime(*expected, tzinfo=UTC)


def test_refusal_carries_its_kind_and_params_for_translation() -> None:
    with pytest.raises(WhenError) as caught:
        parse_when("31 февраля", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language="ru")
    assert (caught.value.kind, caught.value.params) == ("no_such_day", {"day": 31, "month": 2})
    assert caught.value.message == "There is no 31 February."
    with pytest.raises(WhenError) as caught:
        parse_when("Milch kaufen", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language="de")
    assert (caught.value.kind, caught.value.params) == ("unreadable", {"text": "Milch kaufen"})


def test_refusal_says_why_in_whichever_language_understood_the_phrase() -> None:
    # Russian does not read "feb 30" at all; English reads it, and says why it cannot be.
    with pytest.raises(WhenError) as caught:
        parse_when("feb 30", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language="ru")
    assert caught.value.message == "There is no 30 February."
    # Both read "in 2 Monaten" as a duration: the chat's language says which words it did not.
    with pytest.raises(WhenError) as caught:
        parse_when("in 2 Monaten", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language="de")
    assert caught.value.message.startswith("“2 monaten” is not a duration")


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("pt-BR", "pt_BR"),
        ("pt_br", "pt_BR"),
        ("pt", "pt_BR"),
        ("de-AT", "de"),
        ("RU", "ru"),
        ("fa_IR", "fa"),
        ("fr", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_chat_language_code_picks_its_words(language: str | None, code: str) -> None:
    assert language_code(language) == code


# CLDR's month and weekday names, in each width and context, read as what they name.


def _cldr_names(code: str, names_of: object) -> list[tuple[int, str]]:
    locale = language_table(code).locale
    return sorted(
        {
            (number, name)
            for width in ("wide", "abbreviated")
            for context in ("format", "stand-alone")
            for number, name in names_of(width, context, locale).items()  # type: ignore[operator]
        }
    )


AMBIGUOUS = {("es", "mar")}  # martes and marzo


@pytest.mark.parametrize(
    ("code", "month", "name"),
    [
        (code, month, name)
        for code in LANGUAGES
        for month, name in _cldr_names(code, get_month_names)
        if (code, name) not in AMBIGUOUS
    ],
    ids=str,
)
def test_every_cldr_month_name_is_read(code: str, month: int, name: str) -> None:
    due = parse_when(f"15 {name} 2027", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language=code)
    assert due.due_at == utc(2027, month, 15, 9, 0)


@pytest.mark.parametrize(
    ("code", "weekday", "name"),
    [
        (code, weekday, name)
        for code in LANGUAGES
        for weekday, name in _cldr_names(code, get_day_names)
        if (code, name) not in AMBIGUOUS
    ],
    ids=str,
)
def test_every_cldr_weekday_name_is_read(code: str, weekday: int, name: str) -> None:
    due = parse_when(name, now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE, language=code).due_at
    assert due.weekday() == weekday
    assert utc(2026, 6, 10, 14, 0) < due <= utc(2026, 6, 17, 9, 0)


def test_every_language_means_only_canonical_words() -> None:
    for code in LANGUAGES:
        for meaning in language_vocabulary(code).phrases.values():
            assert all(word in CANONICAL or word.isdigit() for word in meaning.split()), meaning


# Clock times and durations in each language


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "22 Uhr", (22, 0)),
        ("de", "7:30 Uhr", (7, 30)),
        ("pt-BR", "22h", (22, 0)),
        ("pt-BR", "7h30", (7, 30)),
        ("ru", "10 вечера", (22, 0)),
        ("uk", "7 ранку", (7, 0)),
        ("es", "10 de la noche", (22, 0)),
        ("fa", "۲۲:۰۰", (22, 0)),
        ("fa", "٧:٣٠", (7, 30)),
        ("ru", "22:00", (22, 0)),
        ("de", "10pm", (22, 0)),  # English in a German chat
    ],
    ids=str,
)
def test_time_of_day_in_the_chats_language(
    language: str, text: str, expected: tuple[int, int]
) -> None:
    assert parse_time_of_day(text, language=language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "30 минут", timedelta(minutes=30)),
        ("ru", "полчаса", timedelta(minutes=30)),
        ("ru", "2 часа", timedelta(hours=2)),
        ("uk", "1 година", timedelta(hours=1)),
        ("es", "1 hora y 30 minutos", timedelta(minutes=90)),
        ("pt-BR", "1h30", timedelta(minutes=90)),
        ("de", "2 Stunden", timedelta(hours=2)),
        ("de", "1 Tag", timedelta(days=1)),
        ("fa", "۳۰ دقیقه", timedelta(minutes=30)),
        ("fa", "۱ ساعت و ۳۰ دقیقه", timedelta(minutes=90)),
        ("de", "10m", timedelta(minutes=10)),  # English in a German chat
    ],
    ids=str,
)
def test_duration_in_the_chats_language(language: str, text: str, expected: timedelta) -> None:
    assert parse_duration(text, language=language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "2 месяца"), ("de", "Stunden 2"), ("fa", "دقیقه ساعت"), ("es", "")],
)
def test_duration_in_the_chats_language_refuses_anything_else(language: str, text: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_duration(text, language=language)
    assert caught.value.kind == "not_duration"


# Anything a user might type, in any language


def _typed_words() -> list[str]:
    words = {" ".join(key) for code in LANGUAGES for key in language_vocabulary(code).phrases}
    return sorted(words | {"1", "9", "18:00", "2", "2026-12-01", "1.12.", "31", "x"})


@given(
    text=st.lists(st.sampled_from(_typed_words()), max_size=6).map(" ".join),
    language=st.sampled_from(LANGUAGES),
    now=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from([UTC_ZONE, BERLIN, NEW_YORK, TEHRAN]),
)
def test_any_words_are_a_future_time_or_a_friendly_refusal(
    text: str, language: str, now: datetime, tz: ZoneInfo
) -> None:
    try:
        due = parse_when(text, now=now, tz=tz, language=language).due_at
    except WhenError as error:
        assert error.message
        return
    assert due.utcoffset() == timedelta(0)
    assert now < due <= now + MAX_AHEAD


def test_persian_and_arabic_indic_digits_are_ascii_digits_for_other_readers() -> None:
    # For task numbers and the like, read outside the time phrases.
    assert ascii_digits("۱۲ ٣٤ 56") == "12 34 56"


# Numbers in words, as people type them in each language (now: Wednesday 10 June 2026, 14:00).
NUMBER_WORDS: list[tuple[str, str, Wall]] = [
    ("en", "in two days", june(12, 14)),
    ("en", "in twenty minutes", june(10, 14, 20)),
    ("en", "in forty-five minutes", june(10, 14, 45)),
    ("en", "in three hours", june(10, 17)),
    ("ru", "через два дня", june(12, 14)),
    ("ru", "через пятнадцать минут", june(10, 14, 15)),
    ("ru", "через три часа", june(10, 17)),
    ("uk", "через два дні", june(12, 14)),
    ("uk", "через п'ять хвилин", june(10, 14, 5)),
    ("uk", "через дві години", IN_TWO_HOURS),
    ("es", "en dos días", june(12, 14)),
    ("es", "en quince minutos", june(10, 14, 15)),
    ("es", "en tres horas", june(10, 17)),
    ("pt-BR", "em dois dias", june(12, 14)),
    ("pt-BR", "em duas horas", IN_TWO_HOURS),
    ("pt-BR", "em trinta minutos", june(10, 14, 30)),
    ("de", "in zwei Tagen", june(12, 14)),
    ("de", "in fünf Minuten", june(10, 14, 5)),
    ("de", "in fuenf Minuten", june(10, 14, 5)),
    ("de", "in drei Stunden", june(10, 17)),
    ("fa", "دو روز دیگر", june(12, 14)),
    ("fa", "پنج دقیقه دیگر", june(10, 14, 5)),
    ("fa", "سه ساعت دیگر", june(10, 17)),
    # A weekday whose name starts with a number word is still the weekday.
    ("fa", "سه شنبه", june(16, 9)),
    ("fa", "پنج شنبه", TOMORROW_0900),
    ("fa", "دو شنبه", NEXT_MONDAY),
]


@pytest.mark.parametrize(("language", "phrase", "expected"), NUMBER_WORDS, ids=str)
def test_numbers_in_words_count_as_their_digits(
    language: str, phrase: str, expected: Wall
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=TEHRAN)
    due = parse_when(phrase, now=now, tz=TEHRAN, language=language).due_at
    assert due.astimezone(TEHRAN).replace(tzinfo=None) == datetime(*expected)


@pytest.mark.parametrize(
    ("language", "phrase", "every"),
    [
        ("en", "every three weeks", 3),
        ("ru", "каждые три недели", 3),
        ("uk", "кожні три тижні", 3),
        ("es", "cada tres semanas", 3),
        ("pt-BR", "a cada três semanas", 3),
        ("de", "alle drei Wochen", 3),
        ("fa", "هر سه هفته", 3),
    ],
)
def test_a_repeat_counted_in_words_has_that_interval(
    language: str, phrase: str, every: int
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=TEHRAN)
    rule = parse_when(phrase, now=now, tz=TEHRAN, language=language).recurrence
    assert rule is not None and (rule.freq, rule.interval) == ("weekly", every)


def test_a_number_word_that_also_names_a_month_is_refused_in_the_data() -> None:
    portuguese = language_table("pt_BR")
    assert build_vocabulary(portuguese).read("1 dez").canonical == "1 MO12"
    with pytest.raises(ValueError, match="number word"):
        build_vocabulary(replace(portuguese, numbers={"dez": 10}))


def test_every_language_but_english_spells_the_numbers_english_does() -> None:
    counts = set(language_table(ENGLISH).numbers.values())
    for code in LANGUAGES:
        missing = counts - set(language_table(code).numbers.values())
        assert missing == ({10} if code == "pt_BR" else set()), code  # "dez": see above


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "in a few days"), ("en", "in a couple of days"), ("de", "in ein paar Tagen")],
)
def test_a_vague_count_is_refused_not_guessed(language: str, phrase: str) -> None:
    with pytest.raises(WhenError):
        parse_when(
            phrase, now=datetime(2026, 6, 10, 14, tzinfo=UTC), tz=UTC_ZONE, language=language
        )
