"""The one place where errors become exit codes and a single line on stderr."""

from __future__ import annotations

import os
import sys

import click

from ucauth.errors import UcauthError
from ucauth.i18n import normalize_language

# Exit codes by error class, named "module.Class" so that starting the CLI imports none of the
# packages that define them (a unit test checks every name); the most specific class in an
# error's MRO wins.
# 1 = any other UcauthError, 2 = usage error (click), 130 = interrupted.
# 9 is not an error: `ucauth data import` loaded the good rows and rejected some.
# 6 is also `ucauth check PID` finding nobody.
EXIT_CODES: dict[str, int] = {
    "ucauth.rights.errors.ImportFileError": 3,  # the import file is unusable; nothing changed
    # `ucauth check --file`: the IDs or results file is unusable.
    "ucauth.client.errors.ResultsFileError": 3,
    # Missing, invalid or insecure settings (the server refuses to start).
    "ucauth.settings.SettingsError": 3,
    "ucauth.migrations.errors.SchemaOutOfDateError": 4,  # run `ucauth db upgrade`
    "ucauth.errors.InvalidCitizenIdError": 5,
    "ucauth.accounts.errors.InvalidAccountDataError": 5,
    "ucauth.accounts.errors.NotFoundError": 6,
    "ucauth.accounts.errors.AlreadyExistsError": 7,
    "ucauth.accounts.errors.StatusChangeError": 8,
    # Card and readers: 10-19.
    "ucauth.card.errors.PcscUnavailableError": 10,
    "ucauth.card.errors.NoReaderError": 11,
    "ucauth.card.errors.NoCardError": 12,
    "ucauth.card.errors.NotThaiIdCardError": 13,
    "ucauth.card.errors.CardRemovedError": 14,
    "ucauth.card.errors.InvalidPinError": 15,
    "ucauth.card.errors.PinBlockedError": 16,
    "ucauth.card.errors.PinFormatError": 17,
    "ucauth.card.errors.VirtualCardError": 18,
    "ucauth.card.errors.CardError": 19,
    # The HIS client (`ucauth check`): 20-29.
    "ucauth.client.errors.ServerUnreachableError": 20,
    "ucauth.client.errors.CredentialsRefusedError": 21,
    "ucauth.client.errors.ThrottledError": 22,
    "ucauth.client.errors.RequestRefusedError": 23,
    "ucauth.client.errors.ServerFailedError": 24,
    "ucauth.client.errors.AgentUnavailableError": 25,
    "ucauth.client.errors.ClientError": 29,
    # The workstation agent: 30-39.
    "ucauth.agent.errors.NotEnrolledError": 30,
    "ucauth.agent.errors.ServerUnreachableError": 31,
    "ucauth.agent.errors.ServerRefusedError": 32,
    "ucauth.agent.errors.AgentUnknownError": 32,
    "ucauth.agent.errors.AgentDisabledError": 32,
    "ucauth.agent.errors.EnrolmentRefusedError": 32,
    "ucauth.agent.errors.TooManyAttemptsError": 32,
    "ucauth.agent.errors.AccountNotRegisteredError": 33,
    "ucauth.agent.errors.AccountPendingError": 34,
    "ucauth.agent.errors.AccountRevokedError": 35,
    "ucauth.agent.errors.AccountSuspendedError": 35,
    "ucauth.agent.errors.CardExpiredError": 36,
    "ucauth.agent.errors.NotLoggedInError": 37,
    "ucauth.agent.errors.AlreadyEnrolledError": 38,
    "ucauth.agent.errors.AgentError": 39,
    # Jobs (`ucauth jobs run`): 40-49.
    "ucauth.jobs.errors.JobBusyError": 40,  # another process runs this job
    "ucauth.jobs.errors.JobInterruptedError": 41,  # stopped before the end; a rerun finishes it
}


def exit_code_for(error: UcauthError) -> int:
    """The exit code of the nearest class of ``error`` that has one, else 1."""
    for cls in type(error).__mro__:
        code = EXIT_CODES.get(f"{cls.__module__}.{cls.__qualname__}")
        if code is not None:
            return code
    return 1


def cli_language() -> str:
    """``UCAUTH_LANG``, else the locale's language when it is Thai or English, else Thai."""
    explicit = os.environ.get("UCAUTH_LANG")
    if explicit:
        return normalize_language(explicit)
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return normalize_language((locale or "")[:2].lower() or None)


def run(command: click.Command) -> None:
    """Run ``command``; print expected failures as one line and exit with their code."""
    try:
        result = command.main(standalone_mode=False)
    except UcauthError as error:
        click.echo(f"ucauth: {error.message(cli_language())}", err=True)
        sys.exit(exit_code_for(error))
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("ucauth: interrupted", err=True)
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
