"""Look a patient's rights up with the token of whoever is logged in at this workstation.

    python lookup_sync.py 3109900000017 --server http://127.0.0.1:8000 --agent http://127.0.0.1:8189

The token comes from the ucauth agent (``GET /api/token``); ``--token-file nhso_token.txt``
reads the agent's token file instead. Needs ``pip install ucauth`` (or only httpx, see the
curl example for the raw calls).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ucauth.client import (
    ClientError,
    RightsClient,
    ThrottledError,
    agent_token,
    token_file,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", help="the patient's citizen ID")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--agent", default="http://127.0.0.1:8189")
    parser.add_argument("--token-file", type=Path, help="the agent's nhso_token.txt")
    args = parser.parse_args()
    try:
        if args.token_file:
            credentials = token_file(args.token_file)
        else:
            credentials = agent_token(args.agent).credentials()
        with RightsClient(args.server, credentials, lang="en") as client:
            session = client.verify()  # whose token it is, until when
            print(f"logged in: {session.user.first_name} {session.user.last_name}")
            person = client.right_search(args.pid)  # REST
            if person is None:
                print(f"{args.pid}: not in the registry")
                return 1
            fund = person.funds[0] if person.funds else None
            right = fund.main_inscl.name if fund and fund.main_inscl else "no current right"
            print(f"{person.pid}: {person.tname or ''}{person.fname} {person.lname or ''}: {right}")
            if person.death_date:
                print(f"  died {person.death_date}")
            soap = client.soap_search(args.pid)  # the same over SOAP, as NHSO's clients call it
            if soap is not None and soap.has_pending_change:
                print(f"  right has changed: new {soap.get('new_maininscl')} from "
                      f"{soap.get('new_startdate')} (BE), go to registration")
    except ThrottledError as error:
        print(f"throttled, retry in {error.retry_after} s", file=sys.stderr)
        return 2
    except ClientError as error:  # unreachable, refused token, no agent token, ...
        print(error.message("en"), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
