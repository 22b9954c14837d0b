#!/usr/bin/env bash
# Post one signed NominationSubmitted on the nomination.submissions stream, as a unit system.
# Needs: bash, openssl (3.x), redis-cli. Prints the event id to follow the submission with.
set -euo pipefail

UNIT=${UNIT:-xa-ban-nguyen}                      # the unit's id in the organisation file
KEY=${KEY:-var/unit-keys/$UNIT.pem}              # the unit's Ed25519 private key
KID=${KID:-$UNIT}                                # the key id registered for that key
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6380/0} # the system's Redis (make run's by default)
REDIS_USER=${REDIS_USER:-unit-$UNIT}             # the unit's own Redis user…
REDIS_PASSWORD_FILE=${REDIS_PASSWORD_FILE:-var/unit-keys/$UNIT.redis-password}  # …and its password
QUARTER=${QUARTER:-$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))}

b64url() { openssl base64 -e -A | tr '+/' '-_' | tr -d '='; }

EVENT_ID=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen | tr 'A-F' 'a-f')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ENVELOPE=$(cat <<JSON
{"event_id": "$EVENT_ID", "type": "NominationSubmitted", "schema_version": 1,
 "occurred_at": "$NOW", "producer": "$UNIT", "correlation_id": "$EVENT_ID",
 "data": {"unit_id": "$UNIT", "quarter": "$QUARTER", "field": "social-security",
          "nominee": {"kind": "individual", "name": "Nguyễn Thị Lan", "title": "Chi hội trưởng Chi hội Phụ nữ khu 5"},
          "achievements": "Vận động xây 3 nhà tình nghĩa, giúp 15 hộ thoát nghèo bằng mô hình nuôi gà thả vườn.",
          "consent_to_publish": true}}
JSON
)

HEADER=$(printf '{"alg":"Ed25519","kid":"%s"}' "$KID" | b64url)
PAYLOAD=$(printf '%s' "$ENVELOPE" | b64url)
SIGNING_INPUT=$(mktemp)
trap 'rm -f "$SIGNING_INPUT"' EXIT
printf '%s.%s' "$HEADER" "$PAYLOAD" > "$SIGNING_INPUT"
SIGNATURE=$(openssl pkeyutl -sign -inkey "$KEY" -rawin -in "$SIGNING_INPUT" | b64url)

REPLY=$(REDISCLI_AUTH=$(cat "$REDIS_PASSWORD_FILE") redis-cli -u "$REDIS_URL" --user "$REDIS_USER" \
    --no-auth-warning XADD nomination.submissions '*' jws "$HEADER.$PAYLOAD.$SIGNATURE")
[[ $REPLY =~ ^[0-9]+-[0-9]+$ ]] || { echo "Redis did not take the entry: $REPLY" >&2; exit 1; }
echo "$EVENT_ID"
