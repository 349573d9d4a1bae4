"""Errors of the rights registry: lookups, SOAP requests, import files and rows, code tables.

The SOAP endpoint maps :class:`SoapRequestError` to SOAP 1.1 faults; ``ucauth.server.errors``
maps the lookup errors to HTTP statuses; ``ucauth.cli.errors`` maps the file errors to exit
codes; the importer writes :class:`RowRejection` messages to the reject file.
"""

from __future__ import annotations

from ucauth.errors import InvalidCitizenIdError, UcauthError


class RightsError(UcauthError):
    """Any expected failure of the rights registry."""

    code = "rights_error"
    message_key = "rights.error"


class InvalidPatientIdError(RightsError, InvalidCitizenIdError):
    """The citizen ID to look up is not valid (HTTP 400 on the rights endpoints)."""

    code = InvalidCitizenIdError.code
    message_key = InvalidCitizenIdError.message_key


class PersonNotFoundError(RightsError):
    """Nobody in the registry has the citizen ID looked up (REST: HTTP 404)."""

    code = "person_not_found"
    message_key = "rights.person_not_found"


class FhirSearchError(RightsError):
    """A FHIR search without the one parameter the Coverage search takes (HTTP 400)."""

    code = "fhir_invalid_search"
    message_key = "rights.fhir_invalid_search"


class SoapRequestError(RightsError):
    """A SOAP request the service cannot answer; it becomes a SOAP 1.1 Fault."""

    code = "soap_bad_request"
    message_key = "rights.soap_bad_request"


class SoapRequestTooLargeError(SoapRequestError):
    """The request body is larger than the service accepts."""

    code = "soap_too_large"
    message_key = "rights.soap_too_large"


class SoapMalformedError(SoapRequestError):
    """The body is not well-formed XML or not a SOAP envelope."""

    code = "soap_malformed"
    message_key = "rights.soap_malformed"


class SoapDtdRefusedError(SoapRequestError):
    """The body carries a document type declaration (DTDs and entities are refused)."""

    code = "soap_dtd_refused"
    message_key = "rights.soap_dtd_refused"


class SoapVersionMismatchError(SoapRequestError):
    """The envelope is not in the SOAP 1.1 namespace."""

    code = "soap_version_mismatch"
    message_key = "rights.soap_version_mismatch"


class SoapUnknownOperationError(SoapRequestError):
    """The body asks for an operation this service does not have."""

    code = "soap_unknown_operation"
    message_key = "rights.soap_unknown_operation"


class ImportFileError(RightsError):
    """An import or code-table file that cannot be used at all; nothing was changed."""

    code = "import_file"
    message_key = "rights.import_file"


class ImportHeaderError(ImportFileError):
    """The first line of an import file is not a usable header."""

    code = "import_header"
    message_key = "rights.import_header"


class CodeTableError(ImportFileError):
    """A line of a code table file is not acceptable; nothing was changed."""

    code = "code_table"
    message_key = "rights.code_table"


class NoDemoTableError(RightsError):
    """A demo table was asked for a kind of code table that has none."""

    code = "no_demo_table"
    message_key = "rights.no_demo_table"


class RowRejection(RightsError):
    """Why one row of an import file was not loaded (written to the reject file)."""

    code = "row_rejected"
    message_key = "rights.row_rejected"


class FieldCountError(RowRejection):
    code = "row_field_count"
    message_key = "rights.row_field_count"


class MissingValueError(RowRejection):
    code = "row_missing_value"
    message_key = "rights.row_missing_value"


class InvalidValueError(RowRejection):
    code = "row_invalid_value"
    message_key = "rights.row_invalid_value"


class DateOrderError(RowRejection):
    code = "row_date_order"
    message_key = "rights.row_date_order"
