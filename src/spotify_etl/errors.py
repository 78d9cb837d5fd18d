"""One exception tree, classified by what the caller does next.

    SpotifyEtlError                 base; carries the process exit code
    ├── ConfigError        (2)      the user must fix configuration, input or usage
    │   └── AuthError      (2)      credentials missing/refused; names the fix (`auth login`)
    ├── RetryableError     (1)      transient (5xx, timeout, dropped connection): retry, back off
    │   └── PreconditionFailed      a conditional write lost a race: re-read, merge, write again
    ├── SkippableError     (1)      this item cannot be had (403, 404): record the reason, go on
    ├── StopRun            (75)     stop now, checkpoint, resume later (quota, budget, long wait)
    │   ├── LockedError    (75)     another live process holds the lease or the warehouse
    │   └── QuotaExhausted (75)     one quota bucket is locked: defer its work, go on with the rest
    ├── InputError         (1)      a file or record is unreadable: quarantine it, go on
    │   ├── Unreadable     (1)      a raw file (or its rest) cannot be decoded: quarantine it
    │   ├── BadValue       (1)      a field is not what it claims (also a ValueError): the record
    │   └── NotAnArray     (1)      a history export is not one JSON array (also a ValueError)
    └── FatalError         (1)      a bug or an unrecoverable state (400 from the API): raise
        └── BadRequest     (1)      Spotify refused a request as malformed

BadRequest (spotify.responses) and NotAnArray (history.reader) live beside the code that raises
them. PreconditionFailed, Unreadable and BadValue, raised by storage and the transform, are
defined here and imported from here by every caller (one name, one place). Errors are raised, never
returned: a helper that builds one raises it itself. The simulator, a separate program that
plays the Spotify API, has error replies of its own outside this tree; every other exception
class in the package derives from SpotifyEtlError (tests/test_errors.py checks both).

Messages are for people and must never contain a secret: build them from names, ids and
statuses, never from request headers or bodies that could hold tokens.
"""

from __future__ import annotations

from datetime import datetime

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_RESUMABLE = 75  # EX_TEMPFAIL: stopped early on quota or budget, resumable


class SpotifyEtlError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SpotifyEtlError):
    """Bad configuration, arguments or environment: the user must change something."""

    exit_code = EXIT_USAGE


class AuthError(ConfigError):
    """Credentials are missing, refused or expired."""


class RetryableError(SpotifyEtlError):
    """A transient failure: the same call may succeed later."""


class SkippableError(SpotifyEtlError):
    """This one item cannot be fetched or read; record why and continue with the rest."""

    def __init__(self, message: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


class StopRun(SpotifyEtlError):
    """Stop the run now and resume later from a checkpoint; not a failure."""

    exit_code = EXIT_RESUMABLE

    def __init__(self, message: str, *, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after_s = retry_after_s


class LockedError(StopRun):
    """Another running process holds what this one needs (a lease, the warehouse file): the
    same situation in every stage, so the same exit code, 75: run again once it is done."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, reason="locked")
        self.hint = hint


class QuotaExhausted(StopRun):
    """Spotify's quota for one endpoint bucket is used up until `resume_at` (a UTC datetime).

    Only the work that needs this bucket stops; the caller defers it and goes on with the rest.
    """

    def __init__(self, message: str, *, bucket: str, resume_at: datetime, retry_after_s: float):
        super().__init__(message, reason="quota", retry_after_s=retry_after_s)
        self.bucket = bucket
        self.resume_at = resume_at


class InputError(SpotifyEtlError):
    """A file or record cannot be read or fails checks; it goes to quarantine."""


class FatalError(SpotifyEtlError):
    """A bug or unrecoverable state; never retried."""


class PreconditionFailed(RetryableError):
    """A conditional write lost: the object changed (or exists) since it was read.

    The message is the object's key; callers catch it, read again and retry (or yield to the
    writer that won).
    """


class Unreadable(InputError):
    """A raw file (or its remainder) cannot be read; the reason names what failed."""


class BadValue(InputError, ValueError):
    """A field holds something that cannot be what it claims to be.

    Also a ValueError, as it was before the tree held it: parsers that catch ValueError
    around a field keep catching it.
    """
