class AuditUnavailable(Exception):
    """The audit row could not be written: the action or the read must not happen (fail closed)."""


class ConflictError(Exception):
    """Someone else saved the same record since it was loaded (optimistic locking)."""

    def __init__(self, current=None):
        super().__init__("stale version")
        self.current = current


class TransitionError(Exception):
    """A state change that the current state does not allow."""
