"""Domain errors: each names what went wrong so the API can map it to one status."""


class DomainError(Exception):
    """A command was refused; nothing was changed."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The command's input breaks a rule (an amount, a currency, a field)."""

    code = "invalid_input"


class InsufficientFunds(DomainError):
    code = "insufficient_funds"


class UnknownHold(DomainError):
    code = "unknown_hold"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The requestId was used before with another payload, or the state moved on."""

    code = "conflict"


class Busy(DomainError):
    """Optimistic concurrency kept failing; the caller may retry the same request."""

    code = "busy"
