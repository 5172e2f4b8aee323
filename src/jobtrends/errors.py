"""Errors meant for the person at the terminal (printed as one line, exit code 2)."""


class UserError(RuntimeError):
    """Bad input or a state the user can fix; the message says how."""


class BusyError(RuntimeError):
    """Another process holds the warehouse (a temporary state: the CLI exits 75, Airflow retries)."""
