"""Reading the time zone names users type (/timezone): IANA names in any letter case, and close
names suggested for a near miss."""

import difflib
import functools
import zoneinfo
from zoneinfo import ZoneInfo

from handlers.when import WhenError, shown

# Zone files that are not places: "localtime" is whatever the server is set to.
_NOT_PLACES = {"localtime", "posixrules", "Factory"}


def find_timezone(name: str) -> ZoneInfo:
    """The zone for an IANA name such as "Europe/Berlin" (any letter case), or "UTC"."""
    wanted = "_".join(name.split())
    zones = _zones_by_lower_name()
    exact = zones.get(wanted.lower())
    if exact is not None:
        return ZoneInfo(exact)
    suggestions = _suggest_zones(wanted.lower(), zones)
    if suggestions:
        raise WhenError("unknown_zone_suggestions", name=shown(name), suggestions=suggestions)
    raise WhenError("unknown_zone", name=shown(name))


def _suggest_zones(wanted: str, zones: dict[str, str]) -> list[str]:
    """Up to 3 zone names close to the one asked for, by full name or by city."""
    cities: dict[str, str] = {}
    for lower, zone in zones.items():
        cities.setdefault(lower.rsplit("/", 1)[-1], zone)
    close = difflib.get_close_matches(wanted, zones, n=3, cutoff=0.6)
    by_city = difflib.get_close_matches(wanted.rsplit("/", 1)[-1], cities, n=3, cutoff=0.75)
    names = [zones[lower] for lower in close] + [cities[city] for city in by_city]
    return list(dict.fromkeys(names))[:3]


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    """Every IANA zone name on this system, keyed by its lower-case spelling."""
    names = (zoneinfo.available_timezones() | {"UTC"}) - _NOT_PLACES
    return {name.lower(): name for name in sorted(names)}
