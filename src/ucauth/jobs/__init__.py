"""Scheduled jobs: ``revoke-inactive`` (R6) and ``purge-tokens``, their run records and the
scheduler inside the server process."""
