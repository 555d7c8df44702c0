"""_errors.py - libfcat's negative return codes as Python exceptions, each
carrying the library's own message (fcat_error_last) and code."""

from . import _lib


class FcatError(Exception):
    """A libfcat call failed. ``code`` is the library's FCAT_E* code (negative),
    ``message`` its message (what str() shows)."""

    def __init__(self, message, code=_lib.FCAT_ERROR):
        super().__init__(message)
        self.message = message
        self.code = code


class PolicyDenied(FcatError):
    """A policy refused the request (FCAT_EDENIED): the message names the
    principal, the feature (or view) and the rule."""


class DefinitionError(FcatError):
    """The feature repo's definitions or fcat.yaml are wrong (FCAT_EINVALID
    while opening the store): one line per problem, each ``FILE:LINE: ...``."""


class NotFound(FcatError, LookupError):
    """A feature, view, service, push source or file does not exist
    (FCAT_ENOTFOUND)."""


class InvalidRequest(FcatError, ValueError):
    """The request is wrong (FCAT_EINVALID outside of definitions): a value of
    the wrong type, a missing join key column, a bad row of a push, a failing
    transform; the message names the column and the row."""


def _message(code):
    msg = _lib.lib.fcat_error_last()
    msg = msg.decode("utf-8", "replace") if msg else ""
    if not msg:
        msg = _lib.lib.fcat_strerror(code).decode()
    return msg


def raise_for(code, definitions=False):
    """Raises the exception for a failed call's code, with the message of
    fcat_error_last() (read at once, on the calling thread). `definitions`:
    the call loaded definitions, so FCAT_EINVALID is a DefinitionError."""
    msg = _message(code)
    if code == _lib.FCAT_EDENIED:
        raise PolicyDenied(msg, code)
    if code == _lib.FCAT_ENOTFOUND:
        raise NotFound(msg, code)
    if code == _lib.FCAT_EINVALID:
        raise (DefinitionError if definitions else InvalidRequest)(msg, code)
    raise FcatError(msg, code)


def check(code, definitions=False):
    """Returns None for 0, raises for a negative code."""
    if code != 0:
        raise_for(code, definitions)
