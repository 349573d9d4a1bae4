"""Checking a file of citizen IDs through the batch search, resumable without checking twice.

The IDs file has one citizen ID per line (the first CSV column; blank lines are skipped, and a
first line that is not a number is a header). Results go to a CSV file, one row per ID in the
order of the IDs file, written and flushed to disk batch by batch. While a run is unfinished, a
sidecar file (``RESULTS.csv.partial``) names the IDs file and its SHA-256. Running the same
command again continues after the last line whose result is in the results file, so an ID
already checked is not sent again; only a hard kill between the server's answer and the writing
of its results (milliseconds) can lose a batch's answers, which are then checked once more. The
caller's ``stop`` is asked between batches (Ctrl-C finishes the batch under way first).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from ucauth.client.errors import ResultsFileError
from ucauth.client.rights import RightsClient
from ucauth.rights.rest import IdName, RightSearchResponse
from ucauth.rights.schemas import BatchItem

FOUND, NOT_FOUND = "found", "not_found"  # other statuses: the error code (invalid_cid)
COLUMNS = (
    "line", "pid", "status", "wsid", "error", "tname", "fname", "lname", "sex", "birth_date",
    "death_date", "maininscl", "maininscl_name", "subinscl", "subinscl_name", "hmain",
    "hmain_name", "hsub", "hsub_name", "hmain_op", "hmain_op_name", "purchaseprovince",
    "purchaseprovince_name", "start_date", "expire_date", "paid_model", "check_date",
)  # fmt: skip
SIDECAR_SUFFIX = ".partial"


@dataclass
class FileCheck:
    """Counts of a run: IDs in the file, done before this run, done now, results by status."""

    total: int
    resumed: int = 0
    done: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


Progress = Callable[[FileCheck], None]


def check_file(
    client: RightsClient,
    ids: Path,
    out: Path,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> FileCheck:
    """Check every ID of ``ids`` into ``out``, continuing an unfinished run of the same file."""
    sidecar = out.with_name(out.name + SIDECAR_SUFFIX)
    run = FileCheck(total=sum(1 for _ in _id_lines(ids)))
    last_line = _resume(out, sidecar, ids, run)
    run.done = run.resumed
    with out.open("a", encoding="utf-8", newline="") as results:
        writer = csv.writer(results, lineterminator="\n")
        if last_line == 0:
            writer.writerow(COLUMNS)
        if progress:
            progress(run)
        todo = ((number, pid) for number, pid in _id_lines(ids) if number > last_line)
        while batch := list(islice(todo, batch_size)):
            if stop():
                run.interrupted = True
                break
            answer = client.right_search_batch([pid for _, pid in batch])
            for (number, _), item in zip(batch, answer.results, strict=True):
                row = result_row(number, item)
                writer.writerow(row)
                run.count(row[2])
            _flush(results)
            run.done += len(batch)
            if progress:
                progress(run)
    if not run.interrupted:
        sidecar.unlink()
    return run


def _resume(out: Path, sidecar: Path, ids: Path, run: FileCheck) -> int:
    """The last line of ``ids`` whose result ``out`` holds, counted into ``run``; 0 to start
    afresh (the sidecar is then made)."""
    digest = _sha256(ids)
    if not sidecar.exists():
        if out.exists():
            raise ResultsFileError(path=str(out), reason="it exists already (remove it first)")
        _write_sidecar(sidecar, ids, digest)
        return 0
    try:
        state = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResultsFileError(path=str(sidecar), reason=str(error)) from None
    if state.get("sha256") != digest:
        raise ResultsFileError(
            path=str(out), reason=f"it holds the results of {state.get('ids')}, not of {ids}"
        )
    rows = _complete_rows(out)
    for row in rows:
        run.count(row[2])
    run.resumed = len(rows)
    return int(rows[-1][0]) if rows else 0


def _write_sidecar(sidecar: Path, ids: Path, digest: str) -> None:
    try:
        sidecar.write_text(json.dumps({"ids": str(ids.resolve()), "sha256": digest}) + "\n")
    except OSError as error:
        raise ResultsFileError(path=str(sidecar), reason=error.strerror or str(error)) from None


def _complete_rows(out: Path) -> list[list[str]]:
    """The result rows of ``out`` (header left out); a torn last row is cut off the file, and
    a file without any row is removed so that the run starts afresh."""
    if not out.exists():
        return []
    with out.open("r+b") as results:
        data = results.read()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            results.truncate(len(complete))
    rows = list(csv.reader(complete.decode("utf-8").splitlines()))[1:]
    if not rows:
        out.unlink()
    return rows


def _id_lines(ids: Path) -> Iterator[tuple[int, str]]:
    """(line number, ID) of every ID in the file, as written (the server judges them)."""
    try:
        with ids.open(encoding="utf-8-sig", newline="") as source:
            for number, fields in enumerate(csv.reader(source), start=1):
                value = fields[0].strip() if fields else ""
                if not value or (number == 1 and not value.isdigit()):
                    continue  # a blank line, or the header
                yield number, value[:32]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ResultsFileError(path=str(ids), reason=str(error)) from None


def _sha256(ids: Path) -> str:
    try:
        with ids.open("rb") as source:
            return hashlib.file_digest(source, "sha256").hexdigest()
    except OSError as error:
        raise ResultsFileError(path=str(ids), reason=error.strerror or str(error)) from None


def result_row(number: int, item: BatchItem) -> list[str]:
    """The results-file row (:data:`COLUMNS`) of the ID on line ``number`` (also the web
    page's batch download)."""
    if item.result is not None:
        return [str(number), item.pid, FOUND, item.wsid or "", "", *_person(item.result)]
    code, message = (item.error.code, item.error.message) if item.error else ("", "")
    status = NOT_FOUND if code == "person_not_found" else code
    return [str(number), item.pid, status, item.wsid or "", message] + [""] * (len(COLUMNS) - 5)


def _person(person: RightSearchResponse) -> list[str]:
    fund = person.funds[0] if person.funds else None

    def coded(value: IdName | None) -> list[str]:
        return [value.id, value.name] if value else ["", ""]

    def hospital(attribute: str) -> list[str]:
        value = getattr(fund, attribute, None)
        return [value.hcode, value.hname] if value else ["", ""]

    return [
        person.tname or "",
        person.fname,
        person.lname or "",
        person.sex.name if person.sex else "",
        person.birth_date or "",
        person.death_date or "",
        *coded(fund.main_inscl if fund else None),
        *coded(fund.sub_inscl if fund else None),
        *hospital("hosp_main"),
        *hospital("hosp_sub"),
        *hospital("hosp_main_op"),
        *coded(fund.purchase_province if fund else None),
        (fund.start_date_time or "") if fund else "",
        (fund.expire_date_time or "") if fund else "",
        (fund.paid_model or "") if fund else "",
        person.check_date,
    ]


def _flush(results: IO[str]) -> None:
    results.flush()
    os.fsync(results.fileno())
