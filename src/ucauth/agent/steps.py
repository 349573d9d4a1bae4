"""The five steps of the login screen, built from a snapshot of the service's state.

Pure functions: :func:`build_steps` turns a :class:`Snapshot` into the JSON of
``GET /api/status`` (see docs/agent.md for the states and codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum, unique
from zoneinfo import ZoneInfo

from ucauth.agent.errors import (
    AccountNotRegisteredError,
    AccountRevokedError,
    CardExpiredError,
    NotEnrolledError,
    ServerUnreachableError,
)
from ucauth.agent.store import Session
from ucauth.card.errors import (
    InvalidPinError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
    ReaderNotFoundError,
)
from ucauth.card.model import ThaiIdCardData
from ucauth.errors import UcauthError
from ucauth.i18n import translate
from ucauth.thaidate import long_date_time
from ucauth.tokens.schemas import AccountStatusResponse

CARD_CODES = frozenset({"not_thai_id_card", "card_expired", "card_removed", "no_card"})


@unique
class State(StrEnum):
    OK = "ok"
    ERROR = "error"
    WAITING = "waiting"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Snapshot:
    """Everything the steps show, copied under the service's lock."""

    readers: dict[str, bool]
    pcsc_up: bool | None
    starting: bool
    wanted_reader: str | None
    card_reader: str | None
    card_reading: bool
    card: ThaiIdCardData | None
    card_error: UcauthError | None
    server_url: str | None
    enrolment_error: UcauthError | None
    server_up: bool | None
    retry_in: float | None
    account_cid: str | None
    account_checking: bool
    account: AccountStatusResponse | None
    account_error: UcauthError | None
    pin_error: UcauthError | None
    session: Session | None
    session_end: str | None
    """Why the last session ended by itself: ``session_expired`` (midnight) or ``session_ended``."""
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Bangkok"))


@dataclass(frozen=True)
class Step:
    id: str
    state: State
    code: str
    message: str
    detail: dict[str, object] = field(default_factory=dict)

    def to_json(self, lang: str) -> dict[str, object]:
        return {
            "id": self.id,
            "state": self.state.value,
            "code": self.code,
            "title": translate(f"agent.step_{self.id}", lang),
            "message": self.message,
            "detail": self.detail,
        }


def _error_step(step: str, error: UcauthError, lang: str, **detail: object) -> Step:
    return Step(step, State.ERROR, error.code, error.message(lang), dict(detail))


def _waiting_previous(step: str, lang: str) -> Step:
    return Step(step, State.UNKNOWN, "waiting_previous", translate("agent.waiting_previous", lang))


def reader_step(s: Snapshot, lang: str) -> Step:
    if s.pcsc_up is False:
        return _error_step("reader", PcscUnavailableError(), lang)
    names = sorted(s.readers)
    if s.wanted_reader is not None and s.wanted_reader not in s.readers and not s.starting:
        return _error_step("reader", ReaderNotFoundError(s.wanted_reader), lang, readers=names)
    if not names:
        if s.starting:
            return Step(
                "reader", State.WAITING, "starting", translate("agent.reader_starting", lang)
            )
        return _error_step("reader", NoReaderError(), lang, readers=[])
    reader = s.card_reader or s.wanted_reader or names[0]
    message = translate("agent.reader_ok", lang, reader=reader)
    return Step("reader", State.OK, "ok", message, {"reader": reader, "readers": names})


def card_step(s: Snapshot, lang: str) -> Step:
    if s.card_reading:
        return Step("card", State.WAITING, "reading", translate("agent.card_reading", lang))
    if s.card_error is not None:
        code = s.card_error.code if s.card_error.code in CARD_CODES else "card_error"
        detail: dict[str, object] = {}
        if isinstance(s.card_error, CardExpiredError) and s.card is not None:
            detail = _card_detail(s.card)
        return Step("card", State.ERROR, code, s.card_error.message(lang), detail)
    if s.card is None:
        return Step("card", State.WAITING, "no_card", NoCardError().message(lang))
    detail = _card_detail(s.card)
    expiry_date = s.card.expiry_date
    expiry = (
        translate("agent.card_lifetime", lang)
        if expiry_date.lifetime
        else expiry_date.partial() or expiry_date.raw
    )
    name = s.card.name_th.full if lang == "th" else s.card.name_en.full
    message = translate("agent.card_ok", lang, name=name, expiry=expiry)
    return Step("card", State.OK, "ok", message, detail)


def _card_detail(card: ThaiIdCardData) -> dict[str, object]:
    return {
        "cid": card.cid,
        "name": card.name_th.full,
        "name_en": card.name_en.full,
        "expiry_date": None if card.expiry_date.lifetime else card.expiry_date.iso(),
    }


def server_step(s: Snapshot, lang: str) -> Step:
    if s.server_url is None:
        return _error_step("server", s.enrolment_error or NotEnrolledError(), lang)
    detail: dict[str, object] = {"server_url": s.server_url}
    if s.server_up is None:
        message = translate("agent.server_checking", lang, server_url=s.server_url)
        return Step("server", State.WAITING, "checking", message, detail)
    if not s.server_up:
        retry = None if s.retry_in is None else round(s.retry_in, 1)
        error = ServerUnreachableError(server_url=s.server_url)
        return _error_step("server", error, lang, server_url=s.server_url, retry_in=retry)
    message = translate("agent.server_ok", lang, server_url=s.server_url)
    return Step("server", State.OK, "ok", message, detail)


def account_step(s: Snapshot, lang: str, card_ok: bool, server_ok: bool) -> Step:
    if s.session is not None:
        detail: dict[str, object] = {"status": "active", "username": s.session.username}
        return Step("account", State.OK, "active", translate("agent.account_active", lang), detail)
    if not (card_ok and server_ok) or s.card is None:
        return _waiting_previous("account", lang)
    if s.account_checking or s.account_cid != s.card.cid:
        return Step("account", State.WAITING, "checking", translate("agent.account_checking", lang))
    if s.account_error is not None:
        detail = {}
        if isinstance(s.account_error, AccountNotRegisteredError | AccountRevokedError):
            detail["access_request_url"] = s.account_error.params["access_request_url"]
        if s.account is not None:
            detail["status"] = s.account.status
            if s.account.revoked_at is not None:
                detail["revoked_at"] = s.account.revoked_at.isoformat()
                detail["revoked_reason"] = s.account.revoked_reason
        error = s.account_error
        return Step("account", State.ERROR, error.code, error.message(lang), detail)
    return Step(
        "account",
        State.OK,
        "active",
        translate("agent.account_active", lang),
        {"status": "active"},
    )


def pin_step(s: Snapshot, lang: str, ready: bool) -> Step:
    if s.session is not None:
        expires = long_date_time(s.session.expires_at, s.zone, lang)
        message = translate("agent.logged_in", lang, expires_at=expires)
        detail: dict[str, object] = {"expires_at": s.session.to_json()["expires_at"]}
        return Step("pin", State.OK, "logged_in", message, detail)
    if s.pin_error is not None:
        if isinstance(s.pin_error, InvalidPinError):
            return _error_step("pin", s.pin_error, lang, tries_left=s.pin_error.tries_left)
        return _error_step("pin", s.pin_error, lang)
    if s.session_end is not None:
        message = translate(f"agent.{s.session_end}", lang)
        return Step("pin", State.WAITING, s.session_end, message)
    if ready:
        return Step("pin", State.WAITING, "pin_needed", translate("agent.pin_needed", lang))
    return _waiting_previous("pin", lang)


def build_steps(s: Snapshot, lang: str) -> list[Step]:
    """The five steps, in order."""
    reader = reader_step(s, lang)
    card = card_step(s, lang) if reader.state == State.OK else _waiting_previous("card", lang)
    server = server_step(s, lang)
    card_ok, server_ok = card.state == State.OK, server.state == State.OK
    account = account_step(s, lang, card_ok, server_ok)
    pin = pin_step(s, lang, ready=card_ok and server_ok and account.state == State.OK)
    return [reader, card, server, account, pin]
