"""Shared pytest configuration: fixtures live in the plugins of tests/support."""

pytest_plugins: list[str] = ["tests.support.pcsc"]
