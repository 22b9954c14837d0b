"""Follow what became of your unit's submissions, as a unit system would (pip install redis).

Prints one line per outcome: entry id, submission event id, outcome, nomination id, reason codes;
and one per reminder that the unit's deadline is near: entry id, "reminder", quarter, deadline, message.
Keep the last entry id you handled and start from it next time (AFTER=<id>); the stream is yours
alone: no other unit can read it, and you cannot read theirs.
"""

import json
import os
import pathlib

import redis

unit = os.environ.get("UNIT", "xa-ban-nguyen")
password_file = os.environ.get("REDIS_PASSWORD_FILE", f"var/unit-keys/{unit}.redis-password")
client = redis.Redis.from_url(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6380/0"),
    username=os.environ.get("REDIS_USER", f"unit-{unit}"),
    password=pathlib.Path(password_file).read_text().strip(),
)
stream = f"nomination.outcomes.{unit}"
last = os.environ.get("AFTER", "0")  # "0": from the beginning
wait_ms = int(os.environ.get("WAIT_MS", "5000"))  # stop after this long with nothing new

while reply := client.xread({stream: last}, count=100, block=wait_ms):
    for entry_id, fields in reply[0][1]:
        event = json.loads(fields[b"event"])
        data = event["data"]
        if event["type"] == "DeadlineNear":  # the unit has not nominated and its deadline is near
            print(entry_id.decode(), "reminder", data["quarter"], data["deadline"], data["message"])
        else:  # SubmissionOutcome
            reasons = ",".join(reason["code"] for reason in data["reasons"]) or "-"
            print(
                entry_id.decode(), data["submission_event_id"], data["outcome"], data["nomination_id"] or "-", reasons
            )
        last = entry_id
