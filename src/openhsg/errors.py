"""Errors that the shell turns into a clear message and exit code 2."""


class InputError(Exception):
    """Bad input from a user: names the file or field and the problem.

    The CLI prints the message and exits with code 2; nothing is written.
    """
