"""Parses a /metrics scrape with prometheus_client's OpenMetrics parser (the
real one, from PyPI) and prints the families it understood as JSON, for
tests/metrics.rs to assert on. A scrape it cannot parse exits 1 with why.
Usage: read_metrics.py < SCRAPE"""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [
                    {"name": s.name, "labels": s.labels, "value": s.value}
                    for s in family.samples
                ],
            }
            for family in text_string_to_metric_families(text)
        ]
    except Exception as e:  # the parser's own words are the test's message
        print(f"unparseable scrape: {e}", file=sys.stderr)
        sys.exit(1)
    json.dump(families, sys.stdout)


main()
