"""The exceptions raised by :mod:`storage` (one base class, so callers can catch them all)."""


class StorageError(Exception):
    """Base class of the errors raised by :mod:`storage`."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer version of the program; refusing to touch it."""


class UnknownUserError(StorageError, LookupError):
    """The operation needs a row in ``users`` (call ``upsert_user`` first)."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached or refuses our credentials (one line, no password)."""
