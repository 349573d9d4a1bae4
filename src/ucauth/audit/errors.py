"""Errors of the audit log."""

from __future__ import annotations

from ucauth.errors import UcauthError


class AuditError(UcauthError):
    """Base of this domain's errors."""

    code = "audit_error"
    message_key = "audit.error"


class AuditUnavailableError(AuditError):
    """The audit record of a request could not be committed, so the request is not answered."""

    code = "audit_unavailable"
    message_key = "audit.unavailable"


class AuditArchiveError(AuditError):
    """Old months of the audit log cannot be archived here (SQLite, or stray rows)."""

    code = "audit_archive_refused"
    message_key = "audit.archive_refused"
