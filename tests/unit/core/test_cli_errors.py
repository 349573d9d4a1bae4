"""The exit-code table names real error classes, and the nearest class of an error wins."""

from __future__ import annotations

import importlib

from ucauth.agent.errors import AgentError, CardExpiredError
from ucauth.agent.errors import ServerUnreachableError as AgentServerUnreachableError
from ucauth.card.errors import CardError, ReaderNotFoundError
from ucauth.cli.errors import EXIT_CODES, exit_code_for
from ucauth.client.errors import ServerUnreachableError
from ucauth.errors import UcauthError


def test_every_name_is_an_error_class_defined_there() -> None:
    for name in EXIT_CODES:
        module, _, attribute = name.rpartition(".")
        cls = getattr(importlib.import_module(module), attribute)
        assert issubclass(cls, UcauthError), name
        assert f"{cls.__module__}.{cls.__qualname__}" == name  # not a re-export


def test_the_nearest_class_with_a_code_wins() -> None:
    assert exit_code_for(ServerUnreachableError()) == 20
    assert (
        exit_code_for(AgentServerUnreachableError("http://127.0.0.1:8000")) == 31
    )  # same name, other package
    assert exit_code_for(CardExpiredError(expiry="2020-01-01")) == 36
    assert exit_code_for(ReaderNotFoundError(reader="x")) == 11  # a NoReaderError
    assert exit_code_for(CardError()) == 19
    assert exit_code_for(AgentError()) == 39
    assert exit_code_for(UcauthError()) == 1
