"""Errors a user can cause. The CLI prints their message on one line and exits 2."""


class UserError(Exception):
    """Bad input from a user: the message names the input and the fix."""


class NotAvailableYet(UserError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what}: not available yet")
