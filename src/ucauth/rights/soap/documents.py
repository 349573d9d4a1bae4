"""The WSDL and XSD of ``UCWSTokenP1``, shipped as static files next to this module."""

from __future__ import annotations

from functools import cache
from importlib import resources
from xml.sax.saxutils import escape

NAMESPACE = "http://tokenws.ucws.nhso.go.th/"
ENVELOPE_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"
# The JAX-WS action some clients send as SOAPAction (others send "" or none; all are fine).
ACTION = "http://tokenws.ucws.nhso.go.th/UCWSTokenP1/searchCurrentByPIDRequest"
ADDRESS_PLACEHOLDER = "REPLACE_WITH_ACTUAL_URL"


@cache
def _read(name: str) -> str:
    return resources.files("ucauth.rights.soap").joinpath(name).read_text(encoding="utf-8")


def wsdl_document(address: str) -> bytes:
    """The WSDL (``?wsdl``) for a service at ``address`` (e.g. ``https://host/ucwstokenp1/UCWSTokenP1``);
    its schema import points at ``address?xsd=1``. Take the address from configuration, not from
    the request's Host header."""
    quoted = escape(address, {'"': "&quot;"})
    return _read("UCWSTokenP1.wsdl").replace(ADDRESS_PLACEHOLDER, quoted).encode("utf-8")


def xsd_document() -> bytes:
    """The schema (``?xsd=1``)."""
    return _read("UCWSTokenP1.xsd").encode("utf-8")
