"""Parsing a ``searchCurrentByPID`` request, hardened against hostile XML.

The parser loads no DTD, resolves no entity, reaches no network and refuses any document type
declaration; bodies are bounded in size. Elements are found by namespace, not by prefix, so
``soapenv:``/``tok:``, ``S:``/``ns2:`` or any other prefixes work, as do an empty ``Header``
and comments. The operation is told by the body's element, as JAX-WS does, so the SOAPAction
header is not looked at (clients send ``""``, none, or the JAX-WS action).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ucauth.rights.errors import (
    SoapDtdRefusedError,
    SoapMalformedError,
    SoapRequestTooLargeError,
    SoapUnknownOperationError,
    SoapVersionMismatchError,
)
from ucauth.rights.soap.documents import ENVELOPE_NAMESPACE, NAMESPACE

# A real request is well under 1 KiB. The endpoint should stop reading past this many bytes.
MAX_REQUEST_BYTES = 64 * 1024
OPERATION = "searchCurrentByPID"
PARAMETERS = ("user_person_id", "smctoken", "person_id")


@dataclass(frozen=True)
class SearchRequest:
    """The three strings of a request; a missing element is an empty string."""

    user_person_id: str
    smctoken: str
    person_id: str


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_request(body: bytes) -> SearchRequest:
    """The request in ``body``; raises a SoapRequestError subclass for anything else."""
    if len(body) > MAX_REQUEST_BYTES:
        raise SoapRequestTooLargeError(limit=MAX_REQUEST_BYTES)
    if b"<!DOCTYPE" in body:  # refused before parsing; other encodings are caught below
        raise SoapDtdRefusedError()
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError:
        raise SoapMalformedError(detail="not well-formed XML") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise SoapDtdRefusedError()
    envelope = etree.QName(root)
    if envelope.localname != "Envelope":
        raise SoapMalformedError(detail="the root element is not a SOAP Envelope")
    if envelope.namespace != ENVELOPE_NAMESPACE:
        raise SoapVersionMismatchError()
    soap_body = root.find(f"{{{ENVELOPE_NAMESPACE}}}Body")
    if soap_body is None:
        raise SoapMalformedError(detail="the Envelope has no Body")
    operation = next(iter(soap_body), None)
    if operation is None:
        raise SoapMalformedError(detail="the Body is empty")
    name = etree.QName(operation)
    if (name.namespace, name.localname) != (NAMESPACE, OPERATION):
        raise SoapUnknownOperationError(operation=name.text[:200])
    values = dict.fromkeys(PARAMETERS, "")
    for child in operation:
        child_name = etree.QName(child)
        # Unqualified, as the schema says; qualified ones are taken too.
        if child_name.namespace in (None, NAMESPACE) and child_name.localname in values:
            values[child_name.localname] = (child.text or "").strip()
    return SearchRequest(**values)
