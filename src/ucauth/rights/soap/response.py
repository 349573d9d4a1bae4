"""Writing ``searchCurrentByPIDResponse`` documents and SOAP 1.1 Faults.

Written as the JAX-WS service writes them, because some clients look up literal prefixes:
``S:`` for the envelope, ``ns2:`` for the response wrapper, then the unqualified ``return``
with the ``nhsoDataSetC1`` elements in schema order. Null fields are left out, except
``count_select``, which the schema requires. Dates are Buddhist-Era ``YYYYMMDD``; date-times
are ISO-8601 at +07:00. A code whose name the code tables do not have is shown by the code
itself in the ``*_name`` element (clients test the presence of ``maininscl_name``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from xml.sax.saxutils import escape

from lxml import etree

from ucauth.errors import UcauthError
from ucauth.i18n import translate
from ucauth.rights.beneficiary import Beneficiary, Code, Right
from ucauth.rights.errors import SoapRequestError, SoapVersionMismatchError
from ucauth.rights.formats import bangkok_iso
from ucauth.rights.soap.documents import ENVELOPE_NAMESPACE, NAMESPACE
from ucauth.thaidate import to_be

# The elements of nhsoDataSetC1 in schema order (alphabetical), as in UCWSTokenP1.xsd.
DATASET_ELEMENTS = (
    "birthdate", "cardid", "chat", "count_select", "expdate", "fname", "hmain", "hmain_name",
    "hmain_op", "hmain_op_name", "hsub", "hsub_name", "lname", "maininscl", "maininscl_main",
    "maininscl_name", "mastercup_id", "nation", "new_date_register", "new_expdate",
    "new_hmain", "new_hmain_name", "new_hmain_op", "new_hmain_op_name", "new_hsub",
    "new_hsub_name", "new_maininscl", "new_maininscl_name", "new_mastercup_id",
    "new_paid_model", "new_purchaseprovince", "new_purchaseprovince_name", "new_staffname",
    "new_startdate", "new_subinscl", "new_subinscl_name", "new_type_register",
    "new_type_register_desc", "paid_model", "person_id", "primary_amphur_name",
    "primary_moo", "primary_mooban_name", "primary_province_name", "primary_tumbon_name",
    "primaryprovince", "purchaseprovince", "purchaseprovince_name", "sex", "startdate",
    "startdate_sss", "status", "status_desc", "subinscl", "subinscl_name", "title",
    "title_name", "ws_data_source", "ws_date_request", "ws_status", "ws_status_desc", "wsid",
    "wsid_batch",
)  # fmt: skip

SUCCESS_STATUS, SUCCESS_DESCRIPTION = "NHSO-000001", "ok"
TOKEN_ERROR_STATUS = "NHSO-00003"  # noqa: S105 - a status code, not a secret
DATA_SOURCE = "NHSO"
# What clients test to tell "not found": present but empty.
EMPTY_PERSON = {name: "" for name in ("person_id", "fname", "lname", "maininscl", "maininscl_name")}
FAULT_HTTP_STATUS = 500  # SOAP 1.1 over HTTP answers every Fault with 500


def build_search_response(
    beneficiary: Beneficiary | None,
    *,
    wsid: str,
    requested_at: datetime,
    wsid_batch: str | None = None,
) -> bytes:
    """The success response: the beneficiary's dataset, or empty person fields for nobody."""
    fields = EMPTY_PERSON if beneficiary is None else dataset(beneficiary)
    status = _status(SUCCESS_STATUS, SUCCESS_DESCRIPTION, wsid, requested_at, wsid_batch)
    return _response({**fields, **status})


def build_token_error_response(
    *, wsid: str, requested_at: datetime, description: str | None = None
) -> bytes:
    """``NHSO-00003``: the token is invalid, has expired, or is not ``user_person_id``'s (or
    the caller may not look anyone up now: ``description`` says why, in Thai by default).
    Person fields are empty, as for nobody found."""
    description = description or translate("rights.soap_token_invalid", "th")
    status = _status(TOKEN_ERROR_STATUS, description, wsid, requested_at, None)
    return _response({**EMPTY_PERSON, **status})


def build_fault(error: UcauthError | None, lang: str = "th") -> bytes:
    """A SOAP 1.1 Fault for a request that could not be answered: ``Client`` (or
    ``VersionMismatch``) for a SoapRequestError, ``Server`` for any other error; ``None`` for an
    unexpected failure, which gets a generic text (log the exception, never send it)."""
    if error is None:
        code, text = "Server", translate("rights.soap_server_error", lang)
    else:
        code = "Server"
        if isinstance(error, SoapRequestError):
            code = "VersionMismatch" if isinstance(error, SoapVersionMismatchError) else "Client"
        text = error.message(lang)
    envelope = etree.Element(f"{{{ENVELOPE_NAMESPACE}}}Envelope", nsmap={"S": ENVELOPE_NAMESPACE})
    body = etree.SubElement(envelope, f"{{{ENVELOPE_NAMESPACE}}}Body")
    fault = etree.SubElement(body, f"{{{ENVELOPE_NAMESPACE}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"S:{code}"
    etree.SubElement(fault, "faultstring").text = text
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def dataset(beneficiary: Beneficiary) -> dict[str, str]:
    """The ``nhsoDataSetC1`` fields of a beneficiary, nulls left out (ws_* fields apart)."""
    b = beneficiary
    fields = {
        "birthdate": b.birthdate.be() if b.birthdate else None,
        "cardid": b.cardid,
        "fname": b.fname,
        "lname": b.lname,
        "maininscl_main": b.maininscl_main,
        "nation": _code(b.nation),
        "new_date_register": bangkok_iso(b.new_date_register) if b.new_date_register else None,
        "new_staffname": b.new_staffname,
        "new_type_register": b.new_type_register,
        "new_type_register_desc": b.new_type_register_desc,
        "person_id": b.person_id,
        "primary_amphur_name": b.primary_amphur_name,
        "primary_moo": b.primary_moo,
        "primary_mooban_name": b.primary_mooban_name,
        "primary_province_name": _label(b.primaryprovince),
        "primary_tumbon_name": b.primary_tumbon_name,
        "primaryprovince": _code(b.primaryprovince),
        "sex": b.sex,
        "startdate_sss": _be(b.startdate_sss),
        "title": _code(b.title),
        "title_name": _label(b.title),
        **_right_fields(b.right, ""),
        **_right_fields(b.new_right, "new_"),
    }
    return {name: value for name, value in fields.items() if value is not None}


def _right_fields(right: Right | None, prefix: str) -> dict[str, str | None]:
    if right is None:
        return {}
    fields: dict[str, str | None] = {}
    for name in ("maininscl", "subinscl", "hmain", "hsub", "hmain_op", "purchaseprovince"):
        coded: Code | None = getattr(right, name)
        fields[prefix + name] = _code(coded)
        fields[f"{prefix}{name}_name"] = _label(coded)
    fields[prefix + "startdate"] = _be(right.startdate)
    fields[prefix + "expdate"] = _be(right.expdate)
    fields[prefix + "paid_model"] = right.paid_model
    fields[prefix + "mastercup_id"] = right.mastercup_id
    return fields


def _status(
    status: str, description: str, wsid: str, requested_at: datetime, wsid_batch: str | None
) -> dict[str, str]:
    fields = {
        "count_select": "0",
        "ws_data_source": DATA_SOURCE,
        "ws_date_request": bangkok_iso(requested_at),
        "ws_status": status,
        "ws_status_desc": description,
        "wsid": wsid,
    }
    if wsid_batch is not None:
        fields["wsid_batch"] = wsid_batch
    return fields


# The response around its dataset, byte for byte as lxml serialises it (and the Fault above).
_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<S:Envelope xmlns:S="{ENVELOPE_NAMESPACE}"><S:Body>'
    f'<ns2:searchCurrentByPIDResponse xmlns:ns2="{NAMESPACE}"><return>'
)
_CLOSE = "</return></ns2:searchCurrentByPIDResponse></S:Body></S:Envelope>"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPED = re.compile("[&<>\r]")
_CARRIAGE_RETURN = {"\r": "&#13;"}


def _response(fields: Mapping[str, str]) -> bytes:
    """The document, written as text: the hottest part of a SOAP answer, where building an
    element tree cost several times as much. Refuses (ValueError) a value that XML cannot
    carry."""
    values = [(name, fields[name]) for name in DATASET_ELEMENTS if name in fields]
    text = "".join(
        f"<{name}>{escape(value, _CARRIAGE_RETURN) if _ESCAPED.search(value) else value}</{name}>"
        for name, value in values
    )
    if _NOT_XML.search(text):
        raise ValueError("a field holds characters that XML cannot carry")
    return f"{_OPEN}{text}{_CLOSE}".encode()


def _be(day: date | None) -> str | None:
    return None if day is None else to_be(day)


def _code(coded: Code | None) -> str | None:
    return None if coded is None else coded.code


def _label(coded: Code | None) -> str | None:
    return None if coded is None else coded.label
