# SPDX-License-Identifier: BSD-2-Clause
"""Reads JSON lines on stdin: every line must be one JSON object, some of
them trace events (with "kind"), and the last one the report (without)."""
import json
import sys

objs = [json.loads(line) for line in sys.stdin]
events = [o for o in objs if isinstance(o, dict) and "kind" in o]
if not objs or not events or "kind" in objs[-1]:
    sys.exit("check_jsonl: expected trace events and then a report")
print(f"check_jsonl: {len(events)} events and a report")
