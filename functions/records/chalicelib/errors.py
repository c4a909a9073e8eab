"""The few ways the records domain refuses something; `app.py` turns them into problem+json."""

from __future__ import annotations


class InvalidEntry(ValueError):
    """A value the record cannot hold; names the field, says why, with a stable code."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


class RecordFull(Exception):
    """A list of the record reached its limit; the patient must remove entries first."""

    def __init__(self, section: str, limit: int) -> None:
        super().__init__(f"{section} holds at most {limit} entries")
        self.section = section
        self.limit = limit
