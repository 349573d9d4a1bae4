"""Shared pytest configuration: fixtures live in the plugins of tests/support."""

from hypothesis import settings

# Property tests judge results, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("ucauth", deadline=None)
settings.load_profile("ucauth")

pytest_plugins = [
    "tests.support.browser",
    "tests.support.database",
    "tests.support.pcsc",
    "tests.support.pgcluster",
    "tests.support.server",
    "tests.support.agent",
    "tests.support.web",
    "tests.support.packaging",
]
