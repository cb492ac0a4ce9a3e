"""Process exit codes: the contract's table, in one place."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2  # only `plan --detailed-exitcode`: success with changes
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT (128 + 2)
