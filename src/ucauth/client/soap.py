"""The SOAP ``searchCurrentByPID`` call as HIS make it: the request envelope and the answer,
parsed by namespace (any prefixes) with a parser that loads no DTD and reaches no network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from ucauth.client.errors import ServerFailedError
from ucauth.rights.soap.documents import ENVELOPE_NAMESPACE, NAMESPACE

SUCCESS_STATUS = "NHSO-000001"
TOKEN_ERROR_STATUS = "NHSO-00003"  # noqa: S105 - a status code, not a secret

_ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="{envelope}" xmlns:tok="{namespace}">'
    "<soapenv:Header/><soapenv:Body><tok:searchCurrentByPID>"
    "<user_person_id>{user}</user_person_id><smctoken>{token}</smctoken>"
    "<person_id>{pid}</person_id>"
    "</tok:searchCurrentByPID></soapenv:Body></soapenv:Envelope>"
)


def search_envelope(user_person_id: str, smctoken: str, person_id: str) -> bytes:
    """The request body of ``searchCurrentByPID``."""
    return _ENVELOPE.format(
        envelope=ENVELOPE_NAMESPACE,
        namespace=NAMESPACE,
        user=escape(user_person_id),
        token=escape(smctoken),
        pid=escape(person_id),
    ).encode("utf-8")


@dataclass(frozen=True)
class SoapRights:
    """The ``nhsoDataSetC1`` of an answer: every element as text (``fields``), the status,
    and the common fields as attributes. Dates are Buddhist-Era ``YYYYMMDD`` as on the wire."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str | None:
        """The element ``name``'s text; None when the answer left it out."""
        return self.fields.get(name)

    def _text(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def ws_status(self) -> str:
        return self._text("ws_status")

    @property
    def ws_status_desc(self) -> str:
        return self._text("ws_status_desc")

    @property
    def wsid(self) -> str:
        return self._text("wsid")

    @property
    def token_refused(self) -> bool:
        return self.ws_status == TOKEN_ERROR_STATUS

    @property
    def found(self) -> bool:
        """A person was found (clients test that ``fname`` is not empty)."""
        return self.ws_status == SUCCESS_STATUS and bool(self._text("fname"))

    @property
    def person_id(self) -> str:
        return self._text("person_id")

    @property
    def fname(self) -> str:
        return self._text("fname")

    @property
    def lname(self) -> str:
        return self._text("lname")

    @property
    def maininscl(self) -> str:
        return self._text("maininscl")

    @property
    def maininscl_name(self) -> str:
        return self._text("maininscl_name")

    @property
    def has_pending_change(self) -> bool:
        """A new right is registered (the ``new_*`` fields), not yet the current one."""
        return bool(self._text("new_maininscl"))


def parse_search_response(status: int, body: bytes) -> SoapRights:
    """The dataset of a ``searchCurrentByPIDResponse``; a Fault or anything else raises
    ServerFailedError."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise ServerFailedError(status=status, detail=body[:200].decode(errors="replace")) from None
    soap_body = root.find(f"{{{ENVELOPE_NAMESPACE}}}Body")
    content = None if soap_body is None else next(iter(soap_body), None)
    if content is None:
        raise ServerFailedError(status=status, detail="not a SOAP answer")
    name = etree.QName(content)
    if (name.namespace, name.localname) == (ENVELOPE_NAMESPACE, "Fault"):
        raise ServerFailedError(status=status, detail=content.findtext("faultstring") or "Fault")
    result = content.find("return")
    if name.localname != "searchCurrentByPIDResponse" or result is None:
        raise ServerFailedError(status=status, detail=f"unexpected answer {name.localname}")
    return SoapRights({etree.QName(e).localname: (e.text or "") for e in result})
