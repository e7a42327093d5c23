"""Smarter repeats and reminders before the due time.

`next_occurrence(rule, after, zone)` now reads the RRULE-like text of storage.recurrence
(intervals, sets of weekdays, a day of the month or its last day, the n-th weekday, yearly
dates, and rules counted from completion) besides the older text, and scans the days after
`after` exactly as Recurrence.next_after does. `next_due_when_done` is what completing a task
asks for: the next time after the due time, or for a rule from done after the completion.

`tasks.remind_before` holds the minutes before the due time at which a task is reminded too;
`next_reminder(due, before, after)` is the first of those moments (and the due time) after
`after`, as storage.reminder_times.next_reminder computes it. tests/test_recurrence.py and
tests/test_reminders_before.py check that the SQL and the Python agree.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The stored text as storage.recurrence.STORED reads it (kept here as it was written, as a
# migration must be).
_STORED = (
    "^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)"
    "(?:;INTERVAL=([1-9][0-9]{0,2}))?"
    "(?:;BYMONTH=([1-9]|1[0-2]))?"
    "(?:;BYMONTHDAY=(-1|[1-9]|[12][0-9]|3[01]))?"
    "(?:;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*"
    "|(?:-1|[1-4])(?:MO|TU|WE|TH|FR|SA|SU)))?"
    ";TIME=([01][0-9]|2[0-3]):([0-5][0-9])"
    "(?:;UNTIL=([0-9]{4}-[0-9]{2}-[0-9]{2}))?"
    "(?:;START=([0-9]{4}-[0-9]{2}-[0-9]{2}))?"
    "(;FROM=DONE)?$"
)

# op.execute reads ":name" as a parameter: the colons of "(?:" are escaped for it.
_STORED_IN_TEXT = _STORED.replace("(?:", r"(?\:")

# A rule it cannot read (or one Recurrence would refuse) gives NULL: the task then simply
# stays done. An unknown zone is read as UTC, as the bot does. The checks and the scan follow
# Recurrence._problem, counted_from, next_after and falls_on line for line.
_NEXT_OCCURRENCE = rf"""
CREATE OR REPLACE FUNCTION next_occurrence(rule text, after timestamptz, zone text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    old text[] := regexp_match(
        rule, '^(daily|weekdays|weekly):([0-6]?):([01][0-9]|2[0-3]):([0-5][0-9]):(.*)$');
    part text[];
    freq text;
    step_size int := 1;
    by_month int;
    month_day int;
    days int[] := '{{}}';
    nth int;
    at_hour int;
    at_minute int;
    until_text text;
    start_text text;
    from_done boolean := false;
    until_day date;
    start_day date;
    anchor date;
    tz text := COALESCE(zone, 'UTC');
    first_day date;
    candidate date;
    weekday int;
    length int;
    apart int;
    falls boolean;
    moment timestamptz;
BEGIN
    IF old IS NOT NULL THEN  -- the text the bot stored before this migration
        IF (old[1] = 'weekly') <> (old[2] <> '')
            OR (old[5] <> '' AND old[5] !~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') THEN
            RETURN NULL;
        END IF;
        freq := CASE old[1] WHEN 'daily' THEN 'DAILY' ELSE 'WEEKLY' END;
        days := CASE old[1] WHEN 'weekdays' THEN '{{0,1,2,3,4}}'::int[]
            WHEN 'weekly' THEN ARRAY[old[2]::int] ELSE '{{}}'::int[] END;
        at_hour := old[3]::int;
        at_minute := old[4]::int;
        until_text := NULLIF(old[5], '');
    ELSE
        part := regexp_match(rule, '{_STORED_IN_TEXT}');
        IF part IS NULL OR part[2] = '1' THEN
            RETURN NULL;
        END IF;
        freq := part[1];
        step_size := COALESCE(part[2]::int, 1);
        by_month := part[3]::int;
        month_day := part[4]::int;
        IF part[5] IS NOT NULL THEN
            nth := (regexp_match(part[5], '^(-1|[1-4])'))[1]::int;
            days := ARRAY(
                SELECT array_position(ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], code) - 1
                FROM regexp_split_to_table(regexp_replace(part[5], '^(-1|[1-4])', ''), ',')
                    WITH ORDINALITY AS given(code, place)
                ORDER BY place);
        END IF;
        at_hour := part[6]::int;
        at_minute := part[7]::int;
        until_text := part[8];
        start_text := part[9];
        from_done := part[10] IS NOT NULL;
    END IF;
    BEGIN
        until_day := until_text::date;
        start_day := start_text::date;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN NULL;
    END;
    -- Recurrence._problem
    -- (a CASE in an IF condition goes in parentheses: PL/pgSQL ends the condition at THEN)
    IF step_size > (CASE freq WHEN 'DAILY' THEN 365 WHEN 'WEEKLY' THEN 52
                             WHEN 'MONTHLY' THEN 24 ELSE 5 END)
        OR extract(year FROM until_day) > 2999 OR extract(year FROM start_day) > 2999 THEN
        RETURN NULL;
    END IF;
    IF from_done THEN
        IF cardinality(days) > 0 OR nth IS NOT NULL OR month_day IS NOT NULL
            OR by_month IS NOT NULL OR start_day IS NOT NULL THEN
            RETURN NULL;
        END IF;
    ELSE
        IF (start_day IS NOT NULL) <> (step_size > 1)
            OR days <> ARRAY(SELECT DISTINCT d FROM unnest(days) AS d ORDER BY d) THEN
            RETURN NULL;
        END IF;
        IF freq = 'DAILY' THEN
            IF cardinality(days) > 0 OR nth IS NOT NULL OR month_day IS NOT NULL
                OR by_month IS NOT NULL THEN
                RETURN NULL;
            END IF;
        ELSIF freq = 'WEEKLY' THEN
            IF cardinality(days) = 0 OR nth IS NOT NULL OR month_day IS NOT NULL
                OR by_month IS NOT NULL THEN
                RETURN NULL;
            END IF;
        ELSIF (by_month IS NOT NULL) <> (freq = 'YEARLY') THEN
            RETURN NULL;
        ELSIF nth IS NOT NULL THEN
            IF cardinality(days) <> 1 OR month_day IS NOT NULL THEN
                RETURN NULL;
            END IF;
        ELSIF cardinality(days) > 0 OR month_day IS NULL THEN
            RETURN NULL;
        ELSIF month_day <> -1 AND month_day > (CASE WHEN by_month IS NULL THEN 31
            ELSE extract(day FROM make_date(2000, by_month, 1) + interval '1 month - 1 day')::int
            END) THEN
            RETURN NULL;
        END IF;
    END IF;
    BEGIN
        first_day := (after AT TIME ZONE tz)::date;
    EXCEPTION WHEN invalid_parameter_value THEN
        tz := 'UTC';
        first_day := (after AT TIME ZONE tz)::date;
    END;
    anchor := start_day;
    IF from_done THEN  -- Recurrence.counted_from(first_day)
        IF freq = 'WEEKLY' THEN
            days := ARRAY[extract(isodow FROM first_day)::int - 1];
        END IF;
        IF freq IN ('MONTHLY', 'YEARLY') THEN
            month_day := extract(day FROM first_day)::int;
        END IF;
        IF freq = 'YEARLY' THEN
            by_month := extract(month FROM first_day)::int;
        END IF;
        anchor := CASE WHEN step_size > 1 THEN first_day END;
        first_day := first_day + 1;
    ELSIF start_day IS NOT NULL AND first_day < start_day THEN
        first_day := start_day;
    END IF;
    FOR step IN 0..1999 LOOP  -- storage.recurrence.SCAN_DAYS
        candidate := first_day + step;
        IF until_day IS NOT NULL AND candidate > until_day THEN
            RETURN NULL;
        END IF;
        -- Recurrence.falls_on(candidate)
        weekday := extract(isodow FROM candidate)::int - 1;
        length := extract(day FROM date_trunc('month', candidate::timestamp)
                                   + interval '1 month - 1 day')::int;
        IF anchor IS NOT NULL AND candidate < anchor THEN
            falls := false;
        ELSIF freq = 'DAILY' THEN
            falls := anchor IS NULL OR (candidate - anchor) % step_size = 0;
        ELSIF freq = 'WEEKLY' THEN
            falls := weekday = ANY(days) AND (anchor IS NULL
                OR ((candidate - weekday) - (anchor - (extract(isodow FROM anchor)::int - 1)))
                    / 7 % step_size = 0);
        ELSIF freq = 'YEARLY' AND extract(month FROM candidate)::int <> by_month THEN
            falls := false;
        ELSE
            apart := extract(year FROM candidate)::int - extract(year FROM anchor)::int;
            IF freq = 'MONTHLY' THEN
                apart := apart * 12 + extract(month FROM candidate)::int
                    - extract(month FROM anchor)::int;
            END IF;
            falls := (anchor IS NULL OR apart % step_size = 0) AND CASE
                WHEN month_day = -1 THEN extract(day FROM candidate)::int = length
                WHEN month_day IS NOT NULL THEN
                    extract(day FROM candidate)::int = least(month_day, length)
                WHEN weekday <> days[1] THEN false
                WHEN nth = -1 THEN extract(day FROM candidate)::int + 7 > length
                ELSE (extract(day FROM candidate)::int - 1) / 7 + 1 = nth
            END;
        END IF;
        IF falls THEN
            moment := local_to_utc(candidate + make_time(at_hour, at_minute, 0), tz);
            IF moment > after THEN
                RETURN moment;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$
"""

_NEXT_DUE_WHEN_DONE = r"""
CREATE FUNCTION next_due_when_done(rule text, due timestamptz, done_at timestamptz, zone text)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT next_occurrence(
        rule,
        CASE WHEN rule LIKE '%;FROM=DONE' OR due IS NULL THEN done_at
             ELSE greatest(due, done_at) END,
        zone)
$$
"""

_NEXT_REMINDER = r"""
CREATE FUNCTION next_reminder(due timestamptz, before integer[], after timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT min(moment)
    FROM (SELECT due - make_interval(mins => minutes) AS moment
          FROM unnest(before) AS minutes
          UNION ALL
          SELECT due) AS reminders
    WHERE moment > after
$$
"""

# Migration 0007's function, put back on the way down (rules in the new text then read as
# none: such tasks stay done when completed).
_OLD_NEXT_OCCURRENCE = r"""
CREATE OR REPLACE FUNCTION next_occurrence(rule text, after timestamptz, zone text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    part text[] := regexp_match(
        rule, '^(daily|weekdays|weekly):([0-6]?):([01][0-9]|2[0-3]):([0-5][0-9]):(.*)$');
    tz text := COALESCE(zone, 'UTC');
    first_day date;
    until_day date;
    day date;
    moment timestamptz;
BEGIN
    IF part IS NULL OR (part[1] = 'weekly') <> (part[2] <> '') THEN
        RETURN NULL;
    END IF;
    BEGIN
        until_day := CASE WHEN part[5] = '' THEN NULL
            WHEN part[5] ~ '^\d{4}-\d{2}-\d{2}$' THEN part[5]::date END;
        IF part[5] <> '' AND until_day IS NULL THEN
            RETURN NULL;
        END IF;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN NULL;
    END;
    BEGIN
        first_day := (after AT TIME ZONE tz)::date;
    EXCEPTION WHEN invalid_parameter_value THEN
        tz := 'UTC';
        first_day := (after AT TIME ZONE tz)::date;
    END;
    FOR step IN 0..7 LOOP
        day := first_day + step;
        IF until_day IS NOT NULL AND day > until_day THEN
            RETURN NULL;
        END IF;
        IF part[1] = 'daily'
            OR (part[1] = 'weekdays' AND extract(isodow FROM day) <= 5)
            OR (part[1] = 'weekly' AND extract(isodow FROM day) = part[2]::int + 1)
        THEN
            moment := local_to_utc(day + make_time(part[3]::int, part[4]::int, 0), tz);
            IF moment > after THEN
                RETURN moment;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column(
            "remind_before",
            postgresql.ARRAY(sa.Integer()),
            server_default="{}",
            nullable=False,
        ),
    )
    op.execute(_NEXT_OCCURRENCE)
    op.execute(_NEXT_DUE_WHEN_DONE)
    op.execute(_NEXT_REMINDER)


def downgrade() -> None:
    op.execute("DROP FUNCTION next_reminder(timestamptz, integer[], timestamptz)")
    op.execute("DROP FUNCTION next_due_when_done(text, timestamptz, timestamptz, text)")
    op.execute(_OLD_NEXT_OCCURRENCE)
    op.drop_column("tasks", "remind_before")
