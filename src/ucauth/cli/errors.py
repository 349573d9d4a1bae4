"""The one place where errors become exit codes and a single line on stderr."""

from __future__ import annotations

import os
import sys
from functools import cache

import click

from ucauth.errors import InvalidCitizenIdError, UcauthError
from ucauth.i18n import normalize_language


@cache
def exit_codes() -> dict[type[UcauthError], int]:
    """Exit codes by error class; the most specific class in an error's MRO wins.

    Built on first use: the error classes live in packages (client, migrations, settings) whose
    imports would slow down the start of every command.
    """
    from ucauth.accounts.errors import (
        AlreadyExistsError,
        InvalidAccountDataError,
        NotFoundError,
        StatusChangeError,
    )
    from ucauth.agent.errors import (
        AccountNotRegisteredError,
        AccountPendingError,
        AccountRevokedError,
        AccountSuspendedError,
        AgentDisabledError,
        AgentError,
        AgentUnknownError,
        AlreadyEnrolledError,
        CardExpiredError,
        EnrolmentRefusedError,
        NotEnrolledError,
        NotLoggedInError,
        ServerRefusedError,
        TooManyAttemptsError,
    )
    from ucauth.agent.errors import ServerUnreachableError as AgentServerUnreachableError
    from ucauth.card.errors import (
        CardError,
        CardRemovedError,
        InvalidPinError,
        NoCardError,
        NoReaderError,
        NotThaiIdCardError,
        PcscUnavailableError,
        PinBlockedError,
        PinFormatError,
        VirtualCardError,
    )
    from ucauth.client.errors import (
        AgentUnavailableError,
        ClientError,
        CredentialsRefusedError,
        RequestRefusedError,
        ResultsFileError,
        ServerFailedError,
        ServerUnreachableError,
        ThrottledError,
    )
    from ucauth.jobs.errors import JobBusyError, JobInterruptedError
    from ucauth.migrations.errors import SchemaOutOfDateError
    from ucauth.rights.errors import ImportFileError
    from ucauth.settings import SettingsError

    # 1 = any other UcauthError, 2 = usage error (click), 130 = interrupted.
    # 9 is not an error: `ucauth data import` loaded the good rows and rejected some.
    # 6 is also `ucauth check PID` finding nobody.
    return {
        ImportFileError: 3,  # the import file is unusable; nothing changed
        ResultsFileError: 3,  # `ucauth check --file`: the IDs or results file is unusable
        SettingsError: 3,  # missing, invalid or insecure settings (the server refuses to start)
        SchemaOutOfDateError: 4,  # run `ucauth db upgrade`
        InvalidCitizenIdError: 5,
        InvalidAccountDataError: 5,
        NotFoundError: 6,
        AlreadyExistsError: 7,
        StatusChangeError: 8,
        # Card and readers: 10-19.
        PcscUnavailableError: 10,
        NoReaderError: 11,
        NoCardError: 12,
        NotThaiIdCardError: 13,
        CardRemovedError: 14,
        InvalidPinError: 15,
        PinBlockedError: 16,
        PinFormatError: 17,
        VirtualCardError: 18,
        CardError: 19,
        # The HIS client (`ucauth check`): 20-29.
        ServerUnreachableError: 20,
        CredentialsRefusedError: 21,
        ThrottledError: 22,
        RequestRefusedError: 23,
        ServerFailedError: 24,
        AgentUnavailableError: 25,
        ClientError: 29,
        # The workstation agent: 30-39.
        NotEnrolledError: 30,
        AgentServerUnreachableError: 31,
        ServerRefusedError: 32,
        AgentUnknownError: 32,
        AgentDisabledError: 32,
        EnrolmentRefusedError: 32,
        TooManyAttemptsError: 32,
        AccountNotRegisteredError: 33,
        AccountPendingError: 34,
        AccountRevokedError: 35,
        AccountSuspendedError: 35,
        CardExpiredError: 36,
        NotLoggedInError: 37,
        AlreadyEnrolledError: 38,
        AgentError: 39,
        # Jobs (`ucauth jobs run`): 40-49.
        JobBusyError: 40,  # another process runs this job
        JobInterruptedError: 41,  # stopped before the end; a rerun finishes it
    }


def exit_code_for(error: UcauthError) -> int:
    """The exit code of the nearest class of ``error`` that has one, else 1."""
    codes = exit_codes()
    for cls in type(error).__mro__:
        if cls in codes:
            return codes[cls]
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
