"""``ucauth demo`` (interim, until the full demo): read the bundled "normal" virtual card.

The card goes through the real PC/SC stack whenever it can: the system pcscd when it runs and
serves the packaged vpcd reader, else a private pcscd (needs root). Without pcscd, vpcd or
pyscard it is read in-process, and the demo says so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType

import click

from ucauth.card.errors import CardError, PcscdStartError, PyscardMissingError
from ucauth.card.model import ThaiIdCardData
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.transport import CardConnection
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.pcscd import PrivatePcscd, machine_lock, pcscd_installed, pcscd_pids
from ucauth.card.virtual.profile import load_named_profile
from ucauth.card.virtual.vpcd import PACKAGED_PORT, attach
from ucauth.cli.card import print_json, require_pcsc, say
from ucauth.cli.errors import cli_language
from ucauth.i18n import translate

DEMO_PROFILE = "normal"
DEMO_PORT = 0x9C48
"""vpcd port of the demo's private pcscd (40008), away from the packaged and the test ports."""
PACKAGED_READER = "Virtual PCD 00 {slot:02X}"
LOCK_TIMEOUT = 30.0
INSERT_TIMEOUT = 5.0


@click.command("demo")
def demo_command() -> None:
    """Read the bundled virtual Thai ID card through PC/SC and print it as JSON."""
    profile = load_named_profile(DEMO_PROFILE)
    data, exchanges = read_virtual_card(VirtualThaiIdCard(profile))
    print_json(data.to_dict())
    photo_bytes = len(data.photo or b"")
    say(
        "demo.read_done",
        profile=profile.name,
        exchanges=exchanges,
        photo_bytes=photo_bytes,
        pin=profile.pin,
    )


def read_virtual_card(card: VirtualThaiIdCard) -> tuple[ThaiIdCardData, int]:
    """Read ``card`` the most realistic way available; returns the data and the APDU count."""
    lang = cli_language()
    try:
        pcsc = require_pcsc()
    except PyscardMissingError:
        return _read_in_process(card, translate("demo.no_pyscard", lang))
    if not pcscd_installed():
        return _read_in_process(card, translate("demo.no_pcscd", lang))
    if pcscd_pids():
        try:
            states = {s.reader: s for s in pcsc.reader_states()}
        except CardError as error:
            return _read_in_process(card, error.message(lang))
        for slot in (0, 1):
            state = states.get(PACKAGED_READER.format(slot=slot))
            if state is not None and not state.present:
                say("demo.system_pcscd", reader=state.reader)
                return _read_through_vpcd(pcsc, card, state.reader, PACKAGED_PORT + slot)
        return _read_in_process(card, translate("demo.foreign_pcscd", lang))
    try:
        with (
            machine_lock(LOCK_TIMEOUT),
            tempfile.TemporaryDirectory(prefix="ucauth-demo-") as workdir,
            PrivatePcscd(DEMO_PORT, Path(workdir)) as pcscd,
        ):
            say("demo.private_pcscd", pid=pcscd.pid, reader=pcscd.reader(0))
            return _read_through_vpcd(pcsc, card, pcscd.reader(0), pcscd.slot_port(0))
    except PcscdStartError as error:
        return _read_in_process(card, error.message(lang))


def _read_through_vpcd(
    pcsc: ModuleType, card: VirtualThaiIdCard, reader: str, port: int
) -> tuple[ThaiIdCardData, int]:
    with attach(card, port):
        pcsc.wait_for_presence(reader, timeout=INSERT_TIMEOUT)
        with pcsc.connect(reader) as connection:
            return _read(connection)


def _read_in_process(card: VirtualThaiIdCard, reason: str) -> tuple[ThaiIdCardData, int]:
    say("demo.in_process", reason=reason)
    with InProcessConnection(card) as connection:
        return _read(connection)


def _read(connection: CardConnection) -> tuple[ThaiIdCardData, int]:
    session = ThaiIdSession(connection)
    return session.read(photo=True, nhso=True), session.protocol.exchanges
