// Expands every event of an iCalendar file the way Mozilla's ical.js (Thunderbird) does.
// Usage: node expand.mjs UNTIL < calendar.ics  (UNTIL: an ISO date, e.g. 2041-01-01)
// Prints {"<UID>": [unix seconds of each occurrence's start before UNTIL, ...], ...} as JSON.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const until = ICAL.Time.fromDateTimeString(`${process.argv[2]}T00:00:00Z`);
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
// As Thunderbird does: the file's own VTIMEZONEs define its TZIDs.
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
// A VEVENT with a RECURRENCE-ID moves one occurrence of the event with its UID.
const events = new Map();
const moved = [];
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  if (event.isRecurrenceException()) moved.push(event);
  else events.set(event.uid, event);
}
for (const exception of moved) events.get(exception.uid).relateException(exception);
const result = {};
for (const [uid, event] of events) {
  const starts = [];
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const start = event.getOccurrenceDetails(next).startDate;
    if (next.compare(until) >= 0 && start.compare(until) >= 0) break;
    if (start.compare(until) < 0) starts.push(start.toUnixTime());
  }
  result[uid] = starts;
}
process.stdout.write(JSON.stringify(result));
