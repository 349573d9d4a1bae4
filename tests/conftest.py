"""Shared pytest configuration: fixtures live in the plugins of tests/support."""

pytest_plugins = [
    "tests.support.browser",
    "tests.support.database",
    "tests.support.pcsc",
    "tests.support.pgcluster",
    "tests.support.server",
]
