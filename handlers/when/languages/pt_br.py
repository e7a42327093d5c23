"""Brazilian Portuguese time words (month and weekday names come from CLDR; accents may be left
out; "segunda" is "segunda-feira")."""

from handlers.when.languages import Inflection, Language

LANGUAGE = Language(
    code="pt_BR",
    locale="pt_BR",
    month_prefixes=True,  # jan, fev, set
    weekday_forms=(
        # segunda, terça, sexta: the weekday without "-feira"
        Inflection(rules=(("-feira", ""),)),
        # segundas-feiras, sábados, domingos (plural), and segundas, terças (short plural)
        Inflection(rules=(("-feira", "s-feiras"), ("o", "os"))),
        Inflection(rules=(("-feira", "s"),)),
    ),
    words={
        # days
        "hoje": "TODAY",
        "amanhã": "TOMORROW",
        "depois de amanhã": "OVERMORROW",
        "próximo": "NEXT",
        "próxima": "NEXT",
        "que vem": "NEXT",
        "este": "THIS",
        "esta": "THIS",
        "neste": "THIS",
        "nesta": "THIS",
        "no": "ON",
        "na": "ON",
        "dia": "DAYS",  # also "dia 1 de dezembro"
        "de": "OF",
        "do": "OF",
        "º": "ORD",
        "ª": "ORD",
        # parts of the day and clock times
        "esta noite": "TODAY NIGHT",
        "de manhã": "MORNING",
        "da manhã": "MORNING",
        "pela manhã": "MORNING",
        "de tarde": "AFTERNOON",
        "da tarde": "AFTERNOON",
        "à tarde": "AFTERNOON",
        "pela tarde": "AFTERNOON",
        "de noite": "NIGHT",
        "da noite": "NIGHT",
        "à noite": "NIGHT",
        "pela noite": "NIGHT",
        "da madrugada": "NIGHT",
        "de madrugada": "NIGHT",
        "meio-dia": "NOON",
        "ao meio-dia": "NOON",
        "às": "AT",
        "à": "AT",
        # durations
        "em": "IN",
        "daqui a": "IN",
        "daqui": "IN",
        "dentro de": "IN",
        "e": "AND",
        "um": "ONE",
        "uma": "ONE",
        "meia hora": "30 MINUTES",
        "hora e meia": "1 HOURS 30 MINUTES",
        "uma hora e meia": "1 HOURS 30 MINUTES",
        "minuto": "MINUTES",
        "minutos": "MINUTES",
        "min": "MINUTES",
        "hora": "HOURS_OCLOCK",
        "horas": "HOURS_OCLOCK",
        "h": "HOURS_OCLOCK",
        "dias": "DAYS",
        "semana": "WEEKS",
        "semanas": "WEEKS",
        # repeats
        "todo": "EVERY",
        "toda": "EVERY",
        "todos os": "EVERY",
        "todas as": "EVERY",
        "cada": "EVERY",
        "diariamente": "DAILY",
        "dia útil": "WEEKDAY",
        "dias úteis": "WEEKDAYS",
        "de segunda a sexta": "WEEKDAYS",
        "até": "UNTIL",
    },
)
