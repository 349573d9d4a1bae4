"""``ucauth card``: list readers, read a Thai ID card, run a virtual card on vpcd."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType, ModuleType

import click

from ucauth.card.errors import NoReaderError, PyscardMissingError, VpcdUnreachableError
from ucauth.card.virtual.vpcd import LOCALHOST, PACKAGED_PORT, VpcdLink
from ucauth.cli.errors import cli_language
from ucauth.i18n import translate

RECONNECT_INTERVAL = 0.5


def require_pcsc() -> ModuleType:
    """:mod:`ucauth.card.pcsc`, or PyscardMissingError when pyscard is not installed."""
    try:
        from ucauth.card import pcsc
    except ImportError as error:
        raise PyscardMissingError() from error
    return pcsc


def say(key: str, **params: object) -> None:
    """One catalog message on stderr, in the CLI's language."""
    click.echo(translate(key, cli_language(), **params), err=True)


def print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group("card")
def card_group() -> None:
    """Card readers, Thai ID cards and the virtual Thai ID card."""


@card_group.command("readers")
def readers_command() -> None:
    """List the card readers (JSON): name, whether a card is in it, its ATR."""
    states = require_pcsc().reader_states()
    if not states:
        raise NoReaderError()
    print_json(
        [
            {"reader": s.reader, "card_present": s.present, "atr": s.atr.hex(" ").upper()}
            for s in states
        ]
    )


@card_group.command("read")
@click.option("--reader", help="Reader name (default: the reader that holds a Thai ID card).")
@click.option(
    "--photo",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also read the photo and save the JPEG to this file.",
)
@click.option("--nhso", is_flag=True, help="Also read the NHSO applet (health-insurance rights).")
def read_command(reader: str | None, photo: Path | None, nhso: bool) -> None:
    """Read a Thai ID card and print its data as JSON."""
    from ucauth.card.thai_id import ThaiIdSession  # here: the other commands start without it

    with require_pcsc().connect(reader) as connection:
        data = ThaiIdSession(connection).read(photo=photo is not None, nhso=nhso)
        reader_name = connection.reader
    if photo is not None:
        try:
            photo.write_bytes(data.photo or b"")
        except OSError as error:
            raise click.FileError(str(photo), str(error)) from error
    print_json({"reader": reader_name, **data.to_dict()})


@card_group.command("virtual")
@click.option(
    "--profile",
    "profile_name",
    required=True,
    metavar="FILE",
    help="Profile JSON file, or the name of a bundled profile (normal, expired, ...).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=PACKAGED_PORT,
    show_default=True,
    help="vpcd port of the reader slot (packaged vpcd: 35963 = slot 00 00, 35964 = 00 01).",
)
def virtual_command(profile_name: str, port: int) -> None:
    """Insert a virtual Thai ID card into vpcd until stopped (Ctrl+C or SIGTERM)."""
    # Here: the virtual card's profile models (pydantic) are for this command only.
    from ucauth.card.virtual.card import VirtualThaiIdCard
    from ucauth.card.virtual.profile import load_named_profile

    profile = load_named_profile(profile_name)
    link = VpcdLink(VirtualThaiIdCard(profile), port)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        link.remove()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    link.connect()
    say("card.virtual_inserted", profile=profile.name, host=LOCALHOST, port=port, pin=profile.pin)
    while not stopping.is_set():
        link.serve()
        if stopping.is_set():
            break
        say("card.virtual_reconnecting")
        while not stopping.is_set():
            try:
                link.connect()
                break
            except VpcdUnreachableError:
                stopping.wait(RECONNECT_INTERVAL)
    link.remove()
    say("card.virtual_removed")
