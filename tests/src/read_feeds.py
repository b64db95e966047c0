"""Reads an Atom feed with feedparser and an iCalendar file with icalendar
(real consumers, from PyPI) and prints what they understood as JSON, for
tests/feeds.rs to assert on. Usage: read_feeds.py FEED.atom CALENDAR.ics"""

import json
import sys
from datetime import timezone
from zoneinfo import ZoneInfo

import feedparser
import icalendar
from dateutil.rrule import rrulestr


def read_feed(path):
    feed = feedparser.parse(path)
    return {
        "bozo": bool(feed.bozo),
        "bozo_exception": str(feed.get("bozo_exception", "")),
        "version": feed.version,
        "title": feed.feed.get("title"),
        "id": feed.feed.get("id"),
        "updated": feed.feed.get("updated"),
        "link": feed.feed.get("link"),
        "entries": [
            {
                "id": e.get("id"),
                "title": e.get("title"),
                "updated": e.get("updated"),
                "published": e.get("published"),
                "link": e.get("link"),
                "content": [c.get("value") for c in e.get("content", [])],
                "content_type": [c.get("type") for c in e.get("content", [])],
            }
            for e in feed.entries
        ],
    }


def read_calendar(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = []
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        item = {
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION", "")),
            "tzid": ev["DTSTART"].params.get("TZID"),
            "start_utc": start.astimezone(timezone.utc).isoformat(),
        }
        if "DTEND" in ev:
            item["end_utc"] = ev.decoded("DTEND").astimezone(timezone.utc).isoformat()
        if "DURATION" in ev:
            item["duration_secs"] = ev.decoded("DURATION").total_seconds()
        if "RRULE" in ev:
            rule = ev["RRULE"].to_ical().decode()
            item["rrule"] = rule
            # The next 60 occurrences, as a calendar would place them.
            if start.tzinfo is not None and item["tzid"]:
                start = start.replace(tzinfo=ZoneInfo(item["tzid"]))
            occurrences = rrulestr(rule, dtstart=start)
            item["occurrences_utc"] = [
                o.astimezone(timezone.utc).isoformat() for o in list(occurrences[:60])
            ]
        events.append(item)
    zones = [str(z.get("TZID")) for z in cal.walk("VTIMEZONE")]
    return {"events": events, "timezones": zones}


print(json.dumps({"feed": read_feed(sys.argv[1]), "calendar": read_calendar(sys.argv[2])}))
