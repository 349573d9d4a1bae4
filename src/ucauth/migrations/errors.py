"""Errors about the database schema."""

from __future__ import annotations

from ucauth.errors import UcauthError


class SchemaOutOfDateError(UcauthError):
    """The database is not at the newest migration; ``ucauth db upgrade`` fixes it."""

    code = "schema_out_of_date"
    message_key = "db.schema_out_of_date"
