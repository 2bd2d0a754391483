"""Errors a user can cause. The CLI prints their message on one line and exits 2."""


class UserError(Exception):
    """Bad input from a user: the message names the input and the fix."""
