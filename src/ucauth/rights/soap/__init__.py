"""SOAP 1.1 ``UCWSTokenP1``, drop-in for NHSO's: its documents, request parser and responses.

The HTTP endpoint (``/ucwstokenp1/UCWSTokenP1``) lives in the server; it reads at most
``MAX_REQUEST_BYTES``, calls ``parse_request``, checks the token, looks the person up and answers
with ``build_search_response`` or ``build_token_error_response`` (HTTP 200), or with
``build_fault`` (HTTP ``FAULT_HTTP_STATUS``) for a request it cannot answer. All documents are
``CONTENT_TYPE``.
"""

from ucauth.rights.soap.documents import (
    ACTION,
    CONTENT_TYPE,
    ENVELOPE_NAMESPACE,
    NAMESPACE,
    wsdl_document,
    xsd_document,
)
from ucauth.rights.soap.request import MAX_REQUEST_BYTES, SearchRequest, parse_request
from ucauth.rights.soap.response import (
    DATASET_ELEMENTS,
    FAULT_HTTP_STATUS,
    SUCCESS_STATUS,
    TOKEN_ERROR_STATUS,
    build_fault,
    build_search_response,
    build_token_error_response,
    dataset,
)

__all__ = [
    "ACTION",
    "CONTENT_TYPE",
    "DATASET_ELEMENTS",
    "ENVELOPE_NAMESPACE",
    "FAULT_HTTP_STATUS",
    "MAX_REQUEST_BYTES",
    "NAMESPACE",
    "SUCCESS_STATUS",
    "TOKEN_ERROR_STATUS",
    "SearchRequest",
    "build_fault",
    "build_search_response",
    "build_token_error_response",
    "dataset",
    "parse_request",
    "wsdl_document",
    "xsd_document",
]
