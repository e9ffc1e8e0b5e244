"""This module's records in the register of personal data (people/personal_data.py)."""


def register() -> None:
    """Filled in with the module's entries (issue 7)."""
