"""Bulk import of beneficiaries from a CSV file: streaming, validated, idempotent, crash-safe.

The file is read line by line in batches of a fixed size, so memory stays bounded whatever
its size. Each row is validated (``ucauth.rights.columns``); a bad row goes to the reject file
with its line number and reason, and the good rows load. A row replaces the whole stored row
of its ``person_id`` (an upsert), so importing a file again changes nothing, and each batch is
one transaction, so a crash or Ctrl-C leaves every person either fully old or fully new.

A large file is read and validated by a child process while this process writes the previous
batch, so the two run on two cores. PostgreSQL: COPY, straight into the table or, once stored
people turn up, into a temporary table followed by ``INSERT ... ON CONFLICT DO UPDATE``.
SQLite: ``executemany`` upserts.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import signal
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, Protocol

import psycopg
from sqlalchemy import Engine

from ucauth.rights.columns import COLUMN_NAMES, DATE_TIME_COLUMNS, REQUIRED, RowValidator
from ucauth.rights.errors import ImportFileError, ImportHeaderError, RightsError

DEFAULT_BATCH_SIZE = 20_000
ENCODING = "utf-8-sig"  # a byte-order mark, as spreadsheet programs write, is skipped
# Files at least this large are read by a child process (starting one costs a fraction of a
# second, more than reading a small file takes).
READER_PROCESS_MIN_BYTES = 8 * 1024 * 1024
# Separators of SQLite batches: values are printable, so they never hold these.
_FIELD, _ROW = "\x1f", "\x1e"

Progress = Callable[[int, int], None]
"""Called after each committed batch with (bytes read so far, rows read so far)."""


@dataclass(frozen=True)
class ImportResult:
    rows: int
    loaded: int
    rejected: int
    reject_file: Path | None


@dataclass(frozen=True)
class _Job:
    """What the reader needs; picklable, for the child process."""

    source: Path
    header: tuple[str, ...]
    dialect: str
    batch_size: int
    reject_file: Path
    lang: str


@dataclass(frozen=True)
class _Batch:
    payload: str  # the rows, encoded for the writer; empty for none
    rows_read: int  # counts so far, for progress and the result
    rejected: int
    bytes_read: int
    last: bool


@dataclass(frozen=True)
class _Failure:
    """An error in the reader process, handed to the importing process."""

    error: RightsError | None
    detail: str


class _Writer(Protocol):
    def write(self, payload: str) -> None:
        """Store a batch and commit it."""


def import_beneficiaries(
    engine: Engine,
    source: Path,
    *,
    reject_file: Path,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lang: str = "th",
    progress: Progress | None = None,
) -> ImportResult:
    """Load ``source`` into the registry; rejected rows go to ``reject_file`` (made if needed).

    Raises ImportFileError or ImportHeaderError, before changing anything, for a file that
    cannot be read or whose header is not usable.
    """
    job = _Job(source, _read_header(source), engine.dialect.name, batch_size, reject_file, lang)
    large = source.stat().st_size >= READER_PROCESS_MIN_BYTES
    batches = _read_in_child_process(job) if large else _read(job)
    raw = engine.raw_connection()
    try:
        writer: _Writer
        if job.dialect == "postgresql":
            writer = _PostgresWriter(raw.driver_connection, job.header)
        else:
            writer = _SqliteWriter(raw.driver_connection, job.header)
        with _cycle_collection_paused(), closing(batches):
            for batch in batches:
                if batch.payload:
                    writer.write(batch.payload)
                if progress:
                    progress(batch.bytes_read, batch.rows_read)
    except BaseException:
        # Cut short (Ctrl-C, an error), perhaps mid-COPY: drop the connection rather than
        # reuse it; the server rolls the unfinished batch back.
        raw.invalidate()
        raise
    finally:
        raw.close()
    return ImportResult(
        rows=batch.rows_read,
        loaded=batch.rows_read - batch.rejected,
        rejected=batch.rejected,
        reject_file=reject_file if batch.rejected else None,
    )


def _read_header(source: Path) -> tuple[str, ...]:
    try:
        with source.open(encoding=ENCODING, errors="surrogateescape") as text:
            line = text.readline()
    except OSError as error:
        raise ImportFileError(path=str(source), reason=error.strerror or str(error)) from error
    header = [name.strip() for name in next(csv.reader([line]), [])]
    if not any(header):
        reason = "the file is empty"
    elif unknown := sorted(set(header) - set(COLUMN_NAMES)):
        reason = "unknown columns: " + ", ".join(unknown[:10])
    elif len(set(header)) != len(header):
        reason = "a column appears twice"
    elif missing := sorted(REQUIRED - set(header)):
        reason = "missing columns: " + ", ".join(missing)
    else:
        return tuple(header)
    raise ImportHeaderError(path=str(source), reason=reason)


def _read(job: _Job) -> Generator[_Batch]:
    """The file's rows, validated and encoded for the writer, in batches.

    A line without quotes is checked whole and kept as it is (COPY takes it as it stands,
    SQLite rows only change separators); a line with quotes goes through the csv module.
    The last batch comes after the reject file is closed.
    """
    encoding = _COPY if job.dialect == "postgresql" else _SQLITE
    validator = RowValidator(job.header)
    pid_index = job.header.index("person_id")
    records: dict[str, str] = {}  # person_id -> the encoded row; a person's last row wins
    rows = 0
    with job.source.open("rb") as binary, _Rejects(job) as rejects:
        text = io.TextIOWrapper(binary, encoding=ENCODING, errors="surrogateescape")
        text.readline()  # the header, checked already
        for number, line in enumerate(text, start=2):
            if line.isspace():
                continue
            rows += 1
            quoted = '"' in line
            body = line.rstrip("\n")
            pid = None if quoted else validator.person_of_line(body)
            if pid is not None:
                records[pid] = encoding.line(body)
            else:
                fields = next(csv.reader([line])) if quoted else body.split(",")
                problem = validator.problem(fields)
                if problem is not None:
                    rejects.add(number, problem.message(job.lang), fields)
                    continue
                records[fields[pid_index]] = encoding.fields(fields)
            if len(records) >= job.batch_size:
                yield _Batch(encoding.batch(records), rows, rejects.count, binary.tell(), False)
                records = {}
        end = binary.tell()
    yield _Batch(encoding.batch(records), rows, rejects.count, end, True)


@dataclass(frozen=True)
class _Encoding:
    """How rows travel to a writer: from a line without quotes, from fields, as a batch."""

    line: Callable[[str], str]
    fields: Callable[[Sequence[str]], str]
    separator: str

    def batch(self, records: dict[str, str]) -> str:
        """The rows in key order (the database then walks its primary key in order)."""
        return self.separator.join(records[pid] for pid in sorted(records))


def _csv_line(fields: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


# CSV lines for COPY; for SQLite, values joined with separators that no value holds (values
# are printable).
_COPY = _Encoding(line=lambda body: body + "\n", fields=_csv_line, separator="")
_SQLITE = _Encoding(line=lambda body: body.replace(",", _FIELD), fields=_FIELD.join, separator=_ROW)


def _read_in_child_process(job: _Job) -> Generator[_Batch]:
    """``_read(job)`` run by a child process, one batch ahead of the writer at most."""
    context = multiprocessing.get_context("spawn")  # no fork: the caller may have threads
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(
        target=_reader_process, args=(job, sender), name="ucauth-import-reader", daemon=True
    )
    reader.start()
    sender.close()
    finished = False
    try:
        while not finished:
            try:
                message = receiver.recv()
            except EOFError:
                raise RuntimeError("the import reader process ended unexpectedly") from None
            if isinstance(message, _Failure):
                raise message.error or RuntimeError(message.detail)
            finished = message.last
            yield message
    finally:
        receiver.close()
        if not finished:
            reader.kill()
        reader.join()


def _reader_process(job: _Job, sender: Connection) -> None:
    """Child process: send the batches of ``_read(job)``, or the error that stopped it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the importing process handles Ctrl-C
    try:
        with _cycle_collection_paused():
            for batch in _read(job):
                sender.send(batch)
    except BrokenPipeError:
        pass  # the importing process has stopped
    except RightsError as error:
        sender.send(_Failure(error, ""))
    except Exception:
        sender.send(_Failure(None, traceback.format_exc()))
    finally:
        sender.close()


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause the cycle collector: an import makes no reference cycles, and the collector's
    repeated scans of the rows held in a batch would cost more than parsing them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Rejects:
    """The reject file: ``line``, ``reason``, then the row's fields; made at the first reject."""

    def __init__(self, job: _Job) -> None:
        self._path = job.reject_file
        self._header = job.header
        self.count = 0
        self._file: IO[str] | None = None
        self._writer: Any = None

    def add(self, line: int, reason: str, fields: Sequence[str]) -> None:
        if self._writer is None:
            try:
                self._file = self._path.open(
                    "w", encoding="utf-8", errors="surrogateescape", newline=""
                )
            except OSError as error:
                raise ImportFileError(path=str(self._path), reason=str(error)) from error
            self._writer = csv.writer(self._file, lineterminator="\n")
            self._writer.writerow(["line", "reason", *self._header])
        self._writer.writerow([line, reason, *fields])
        self.count += 1

    def __enter__(self) -> _Rejects:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._file is not None:
            self._file.close()


def _upsert_tail(excluded: str, distinct: str) -> str:
    """``ON CONFLICT`` clause setting every column but the key, skipping rows that are equal."""
    columns = [name for name in COLUMN_NAMES if name != "person_id"]
    assignments = ", ".join(f"{name} = {excluded}.{name}" for name in columns)
    old = ", ".join(f"beneficiaries.{name}" for name in columns)
    new = ", ".join(f"{excluded}.{name}" for name in columns)
    return f"ON CONFLICT (person_id) DO UPDATE SET {assignments} WHERE ({old}) {distinct} ({new})"


class _PostgresWriter:
    """COPY straight into the table while none of the people are there yet (a first import
    needs nothing more); from the first batch that meets stored people on, COPY into a
    temporary table and upsert from it."""

    STAGE = "rights_import_stage"

    def __init__(self, connection: Any, header: Sequence[str]) -> None:
        self._connection = connection
        connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {self.STAGE} (LIKE beneficiaries) "
            "ON COMMIT DELETE ROWS"
        )
        connection.commit()
        # SQL made of column names: the header's are checked against COLUMN_NAMES.
        columns = ", ".join(header)
        self._insert = f"COPY beneficiaries ({columns}) FROM STDIN (FORMAT csv)"
        self._stage = f"COPY {self.STAGE} ({columns}) FROM STDIN (FORMAT csv)"
        names = ", ".join(COLUMN_NAMES)
        self._upsert = (
            f"INSERT INTO beneficiaries ({names}) SELECT {names} FROM {self.STAGE} "  # noqa: S608
            + _upsert_tail("EXCLUDED", "IS DISTINCT FROM")
        )
        self._all_new = True

    def write(self, payload: str) -> None:
        if self._all_new:
            try:
                self._copy(self._insert, payload)
                self._connection.commit()
                return
            except psycopg.errors.UniqueViolation:
                self._connection.rollback()
                self._all_new = False
        self._copy(self._stage, payload)
        self._connection.execute(self._upsert)
        self._connection.commit()

    def _copy(self, statement: str, payload: str) -> None:
        with self._connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(payload)


class _SqliteWriter:
    def __init__(self, connection: Any, header: Sequence[str]) -> None:
        self._connection = connection
        # Date-times become UTC text as UtcDateTime stores them in SQLite (to the millisecond).
        values = ", ".join(
            "strftime('%Y-%m-%d %H:%M:%f', NULLIF(?, ''))"
            if name in DATE_TIME_COLUMNS
            else "NULLIF(?, '')"
            for name in header
        )
        self._upsert = (
            f"INSERT INTO beneficiaries ({', '.join(header)}) VALUES ({values}) "  # noqa: S608
            + _upsert_tail("excluded", "IS NOT")
        )

    def write(self, payload: str) -> None:
        rows = [row.split(_FIELD) for row in payload.split(_ROW)]
        self._connection.executemany(self._upsert, rows)
        self._connection.commit()
