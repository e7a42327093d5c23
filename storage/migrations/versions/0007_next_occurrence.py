"""next_occurrence(): a repeating task's next due time, computed where it is completed.

Completing a repeating task reopens it for its next time in the same statement that marks it
done (storage.statements), so the database must know the rule storage.recurrence implements:
`local_to_utc` turns a wall time into an instant the way zoneinfo does with fold=0, and
`next_occurrence` scans the days after `after` for the first occurrence of a stored rule.
tests/test_recurrence.py checks that both agree with the Python code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL gives a wall time in a spring-forward gap the offset from before the gap (so it
# moves forward by the gap), as zoneinfo does; but an ambiguous one (the hour repeated when the
# clocks go back) gets its later occurrence, where zoneinfo's fold=0 takes the first. So the
# earliest instant up to three hours before PostgreSQL's that shows the same wall time wins.
_LOCAL_TO_UTC = r"""
CREATE FUNCTION local_to_utc(wall timestamp, zone text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT min(candidate)
         FROM generate_series(
             (wall AT TIME ZONE zone) - interval '3 hours',
             wall AT TIME ZONE zone,
             interval '15 minutes'
         ) AS candidate
         WHERE candidate AT TIME ZONE zone = wall),
        wall AT TIME ZONE zone
    )
$$
"""

# The stored rule is storage.recurrence.Recurrence.encode()'s text, e.g. "weekly:0:09:00:" or
# "daily::08:00:2027-01-31". A rule it cannot read (or an end date that does not exist) gives
# NULL: the task then simply stays done. An unknown zone is read as UTC, as the bot does.
_NEXT_OCCURRENCE = r"""
CREATE FUNCTION next_occurrence(rule text, after timestamptz, zone text) RETURNS timestamptz
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
    FOR step IN 0..7 LOOP  -- a week and a day always holds the next occurrence
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
    op.execute(_LOCAL_TO_UTC)
    op.execute(_NEXT_OCCURRENCE)


def downgrade() -> None:
    op.execute("DROP FUNCTION next_occurrence(text, timestamptz, text)")
    op.execute("DROP FUNCTION local_to_utc(timestamp, text)")
