from __future__ import annotations

import importlib
import pkgutil

import pytest

import ucauth
from ucauth.errors import UcauthError
from ucauth.i18n import LANGUAGES, catalog, messages_for, negotiate, translate


def test_every_message_has_every_language() -> None:
    for key, texts in catalog().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key


def _all_error_classes() -> list[type[UcauthError]]:
    for module in pkgutil.walk_packages(ucauth.__path__, "ucauth."):
        if module.name.endswith(".errors"):
            importlib.import_module(module.name)
    seen: list[type[UcauthError]] = []
    stack: list[type[UcauthError]] = [UcauthError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


def test_every_error_class_has_a_message() -> None:
    for cls in _all_error_classes():
        assert cls.message_key in catalog(), f"{cls.__name__}: {cls.message_key}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "th"),
        ("", "th"),
        ("en-US,en;q=0.9", "en"),
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("fr-FR,en;q=0.5", "en"),
        ("en;q=0.4,th;q=0.8", "th"),
        ("de", "th"),
        ("en;q=abc", "th"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_translate_fills_placeholders_and_falls_back_to_thai() -> None:
    assert translate("common.error", "xx") == translate("common.error", "th")
    assert messages_for("en", "common")["common.error"] == "Something went wrong"
