"""Look several patients up at once with the asyncio client (one connection pool).

    python lookup_async.py 3109900000017 3109900000025 --server http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from ucauth.client import AsyncRightsClient, ClientError, async_agent_token


async def lookups(server: str, agent: str, pids: list[str]) -> int:
    credentials = (await async_agent_token(agent)).credentials()
    async with AsyncRightsClient(server, credentials, lang="en") as client:
        people = await asyncio.gather(*(client.right_search(pid) for pid in pids))
        for pid, person in zip(pids, people, strict=True):
            if person is None:
                print(f"{pid}: not in the registry")
            else:
                funds = ", ".join(f.main_inscl.id for f in person.funds if f.main_inscl)
                print(f"{pid}: {person.fname} {person.lname or ''} [{funds or '-'}]")
        batch = await client.right_search_batch(pids)  # the same in one request
        print(f"batch {batch.wsid_batch}: {sum(r.result is not None for r in batch.results)} found")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pids", nargs="+", help="citizen IDs")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--agent", default="http://127.0.0.1:8189")
    args = parser.parse_args()
    try:
        return asyncio.run(lookups(args.server, args.agent, args.pids))
    except ClientError as error:
        print(error.message("en"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
