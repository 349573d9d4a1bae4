from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from ucauth.db import make_engine
from ucauth.rights.ids import BLOCK_SIZE, RequestIds

DRAW = """
import sys
from ucauth.db import make_engine
from ucauth.rights.ids import RequestIds
ids = RequestIds(make_engine(sys.argv[1]))
print("\\n".join(ids.wsid() for _ in range(int(sys.argv[2]))))
"""


def test_wsid_and_wsid_batch_formats(database_url: str) -> None:
    ids = RequestIds(make_engine(database_url))
    assert re.fullmatch(r"WS[0-9]{15}", ids.wsid())
    assert re.fullmatch(r"WSB[0-9]{14}", ids.wsid_batch())


def test_unique_across_threads_processes_and_restarts(database_url: str) -> None:
    ids = RequestIds(make_engine(database_url))
    with ThreadPoolExecutor(8) as pool:
        mine = list(pool.map(lambda _: ids.wsid(), range(3 * BLOCK_SIZE)))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", DRAW, database_url, str(2 * BLOCK_SIZE + 7)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    theirs = [line for p in processes for line in p.communicate(timeout=60)[0].split()]
    assert all(p.returncode == 0 for p in processes)
    restarted = RequestIds(make_engine(database_url))
    after = [restarted.wsid() for _ in range(10)]
    every = mine + theirs + after
    assert len(every) == 3 * BLOCK_SIZE + 3 * (2 * BLOCK_SIZE + 7) + 10
    assert len(set(every)) == len(every)
