"""Running a private pcscd that serves vpcd virtual readers (tests, the demo, benchmarks).

Only one pcscd can run per machine (its socket path is compiled in), so: a machine-wide lock
(:func:`machine_lock`) serialises ucauth's own users; :class:`PrivatePcscd` refuses to start
while any other pcscd process exists, starts ``pcscd --foreground -c <own dir>`` as a child with
its own vpcd port, and stops it by PID. Stale ``/run/pcscd`` files are removed only when no pcscd
process exists. Needs write access to ``/run/pcscd`` (root).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

from ucauth.card.errors import PcscdStartError

RUN_DIR = Path("/run/pcscd")
STALE_FILES = (RUN_DIR / "pcscd.comm", RUN_DIR / "pcscd.pid")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
FRIENDLY_NAME = "ucauth Virtual PCD"
"""Our readers' name, so they are never mistaken for the packaged ``Virtual PCD``."""
SLOTS = 2
LOCK_PATH = Path("/tmp/ucauth-pcscd.lock")  # noqa: S108 - machine-wide by design
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
POLL = 0.02
TCP_LISTEN = "0A"
PROC = Path("/proc")
PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    try:
        function: Callable[..., int] = ctypes.CDLL(None).prctl
    except (OSError, AttributeError, TypeError):  # not Linux
        return None
    return function


_PRCTL = _prctl()  # looked up here: the child of a fork should only call it


def die_with_parent() -> None:
    """For ``preexec_fn``: the child gets SIGTERM when the thread that started it ends, so a
    killed parent leaves no pcscd (or server) behind (Linux; elsewhere nothing)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def pcscd_installed() -> bool:
    """True when the pcscd binary and the vpcd driver are both installed."""
    return shutil.which("pcscd") is not None and VPCD_DRIVER.exists()


def pcscd_pids() -> list[int]:
    """PIDs of every pcscd process on the machine (zombies included)."""
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "pcscd":
                    pids.append(int(entry.name))
    return pids


def clean_stale_files() -> None:
    """Remove pcscd's socket and PID file, but only when no pcscd process exists."""
    if not pcscd_pids():
        for path in STALE_FILES:
            path.unlink(missing_ok=True)


def listening(port: int) -> bool:
    """True when some process listens on TCP ``port`` (IPv4 or IPv6)."""
    suffix = f":{port:04X}"
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[1].endswith(suffix) and fields[3] == TCP_LISTEN:
                    return True
    return False


def vpcd_config(port: int) -> str:
    """A reader.conf.d entry for vpcd with slot ``00 00`` on ``port`` and ``00 01`` on port+1."""
    return (
        f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
        f"DEVICENAME   /dev/null:{port:#06x}\n"
        f"LIBPATH      {VPCD_DRIVER}\n"
        f"CHANNELID    {port:#06x}\n"
    )


def ancestors() -> list[int]:
    """PIDs of this process's parent, its parent, and so on."""
    pids, pid = [], os.getppid()
    while pid > 1:
        pids.append(pid)
        try:
            status = (PROC / str(pid) / "status").read_text()
        except OSError:
            break
        pid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
    return pids


@contextlib.contextmanager
def machine_lock(timeout: float, path: Path = LOCK_PATH) -> Iterator[None]:
    """Hold the machine-wide pcscd lock (``flock``), waiting up to ``timeout`` seconds.

    The holder itself, and a process started by the holder (e.g. ``ucauth demo`` run by a test
    that paused its pcscd), share the holder's lock instead of waiting for it.
    """
    import fcntl  # POSIX only: importing this module must work everywhere (the CLI does)

    with path.open("a+") as handle:
        handle.seek(0)
        holder = handle.read().strip()
        if holder.isdigit() and int(holder) in (os.getpid(), *ancestors()):
            yield
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    detail = f"{path} is still held by process {holder} after {timeout:.0f} s"
                    raise PcscdStartError(detail=detail) from None
                time.sleep(POLL * 10)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


class PrivatePcscd:
    """A pcscd child process whose only readers are vpcd slots on ``port`` and ``port + 1``."""

    def __init__(self, port: int, workdir: Path, *, debug: bool = False) -> None:
        self.port = port
        self.workdir = workdir
        self.debug = debug
        self.config_dir = workdir / "reader.conf.d"
        self.log_path = workdir / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def reader(self, slot: int = 0) -> str:
        """The PC/SC name of our reader ``slot`` (0 or 1)."""
        return f"{FRIENDLY_NAME} 00 {slot:02X}"

    def slot_port(self, slot: int = 0) -> int:
        """The TCP port a virtual card connects to for ``slot``."""
        if not 0 <= slot < SLOTS:
            raise ValueError(f"vpcd has slots 0 and 1, not {slot}")
        return self.port + slot

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start pcscd and wait until its socket exists and vpcd listens."""
        if self._process is not None:
            raise PcscdStartError(detail="already started")
        if not pcscd_installed():
            raise PcscdStartError(detail=f"pcscd or the vpcd driver ({VPCD_DRIVER}) is missing")
        others = pcscd_pids()
        if others:
            raise PcscdStartError(detail=f"another pcscd is running (pid {others[0]})")
        try:
            clean_stale_files()
            self.config_dir.mkdir(parents=True, exist_ok=True)
            (self.config_dir / "vpcd").write_text(vpcd_config(self.port), encoding="utf-8")
            command = ["pcscd", "--foreground", "-c", str(self.config_dir)]
            if self.debug:
                command += ["--debug", "--apdu"]
            with self.log_path.open("ab") as log:
                process = subprocess.Popen(  # noqa: S603 - fixed command
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=die_with_parent,
                )
        except OSError as error:
            raise PcscdStartError(detail=str(error)) from error
        self._process = process
        self._wait_ready(process, timeout)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM by PID and wait; SIGKILL (and clean its files) if it does not go."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
            clean_stale_files()

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 20) -> str:
        """The end of pcscd's log, for error messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._process = None
                raise PcscdStartError(detail=f"pcscd exited: {self.log_tail(5)}")
            comm_ready = STALE_FILES[0].exists()
            if comm_ready and all(listening(self.slot_port(s)) for s in range(SLOTS)):
                return
            time.sleep(POLL)
        self.stop()
        raise PcscdStartError(detail=f"pcscd not ready after {timeout:.0f} s: {self.log_tail(5)}")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
