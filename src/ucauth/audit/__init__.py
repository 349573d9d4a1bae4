"""Audit: append-only events (who, what, when, where, outcome) and the queries over them."""
