#!/bin/sh
# Rights lookups with curl: the token from the ucauth agent, then REST, batch and SOAP.
#   examples/curl/lookup.sh PID [SERVER] [AGENT]
# Needs curl and python3 (to read the agent's JSON; jq works as well).
set -eu
PID=${1:?usage: lookup.sh PID [SERVER] [AGENT]}
SERVER=${2:-http://127.0.0.1:8000}
AGENT=${3:-http://127.0.0.1:8189}

# 1. The token of whoever is logged in at this workstation: {"username", "token", "expires_at"}.
CRED=$(curl -sf "$AGENT/api/token" |
    python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["username"]+"#"+t["token"])')
USER_CID=${CRED%%#*}
TOKEN=${CRED#*#}

# 2. Is this log-on valid? (what an HIS log-on dialog checks: username = CID, password = token)
curl -sf "$SERVER/api/v1/auth/verify" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$USER_CID\", \"password\": \"$TOKEN\"}"
echo

# 3. REST: the rights of one person (404 person_not_found when nobody has the ID).
curl -s "$SERVER/api/ucws/v1/right-search?pid=$PID" -H "Authorization: Bearer $CRED"
echo

# 4. Batch: up to 1,000 IDs in one request.
curl -sf "$SERVER/api/v1/right-search/batch" -H "Authorization: Bearer $CRED" \
    -H 'Content-Type: application/json' -d "{\"pids\": [\"$PID\"]}"
echo

# 5. SOAP, exactly as HIS call NHSO's UCWSTokenP1.
curl -sf "$SERVER/ucwstokenp1/UCWSTokenP1" -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: ""' --data-binary @- <<XML
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tok="http://tokenws.ucws.nhso.go.th/">
  <soapenv:Header/>
  <soapenv:Body>
    <tok:searchCurrentByPID>
      <user_person_id>$USER_CID</user_person_id>
      <smctoken>$TOKEN</smctoken>
      <person_id>$PID</person_id>
    </tok:searchCurrentByPID>
  </soapenv:Body>
</soapenv:Envelope>
XML
echo
