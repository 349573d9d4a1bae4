"""Who may use the console and what they see: administrators everything, regional
administrators the units of their regions only (anything else looks missing)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.models import Role
from ucauth.tokens.service import AuthenticatedUser
from ucauth.web import pages
from ucauth.web.errors import NotAdministratorError, OutOfScopeError
from ucauth.web.sessions import WebSession

LOGIN = "/console"


@dataclass(frozen=True)
class Admin:
    """A signed-on administrator and the units they administer (None: all of them)."""

    user: AuthenticatedUser
    session: WebSession
    hcodes: frozenset[str] | None
    regions: tuple[int, ...]

    @property
    def actor(self) -> str:
        return self.user.cid

    def check(self, hcode: str) -> None:
        """OutOfScopeError (a 404) for a unit outside this administrator's regions."""
        if self.hcodes is not None and hcode not in self.hcodes:
            raise OutOfScopeError()


async def admin_of(request: Request) -> Admin:
    """The console's user: SessionRequiredError without a live session, NotAdministratorError
    for staff."""
    session, user = pages.signed_on(request, login=LOGIN)
    if user.role == Role.ADMIN:
        return Admin(user, session, None, ())
    if user.role != Role.REGIONAL_ADMIN:
        raise NotAdministratorError()

    def scope(db: Session) -> tuple[frozenset[str], tuple[int, ...]]:
        regions = accounts.user_regions(db, user.user_id)
        return frozenset(u.hcode for u in accounts.units_of_regions(db, regions)), tuple(regions)

    hcodes, regions = await pages.in_session(request, scope)
    return Admin(user, session, hcodes, regions)
