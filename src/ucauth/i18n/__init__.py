"""Thai (default) and English user-facing text from message catalogs.

Catalogs are TOML files in ``ucauth/i18n/catalog``, one per domain; each table is one message
with a ``th`` and an ``en`` string, so ``catalog/card.toml``'s ``[no_reader]`` is the key
``card.no_reader``. Placeholders use ``str.format`` syntax: ``{tries_left}``; a date given for
one is written as people of that language read it (:func:`ucauth.thaidate.long_date`).
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources

from ucauth.thaidate import PartialDate, long_date

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every message, keyed ``domain.name``, each a ``{"th": ..., "en": ...}`` mapping."""
    messages: dict[str, dict[str, str]] = {}
    for entry in resources.files("ucauth.i18n").joinpath("catalog").iterdir():
        if not entry.name.endswith(".toml"):
            continue
        domain = entry.name.removesuffix(".toml")
        for name, texts in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            messages[f"{domain}.{name}"] = texts
    return messages


def normalize_language(lang: str | None) -> str:
    """``lang`` if it is a supported language, else Thai."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str | None = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message ``key`` in ``lang``, with ``params`` filled in (dates in that language)."""
    lang = normalize_language(lang)
    text = catalog()[key][lang]
    if not params:
        return text
    shown = {
        k: long_date(v, lang) if isinstance(v, date | PartialDate) else v for k, v in params.items()
    }
    return text.format(**shown)


def messages_for(lang: str | None, *domains: str) -> dict[str, str]:
    """All messages of the given domains in one language (for pages and their scripts)."""
    lang = normalize_language(lang)
    prefixes = tuple(f"{d}." for d in domains)
    return {key: texts[lang] for key, texts in catalog().items() if key.startswith(prefixes)}


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an ``Accept-Language`` header; Thai when none fits."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if q > best_q:
            best, best_q = primary, q
    return best
