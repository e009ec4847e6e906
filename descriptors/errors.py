"""Error types shared by the descriptor layer and the CLI."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input or a malformed data file.

    The message is a single line naming what is wrong and where (file, row,
    column, or argument). The CLI prints it and exits with status 2.
    """


class DataIntegrityError(RuntimeError):
    """A curated data file no longer matches the hash recorded in metadata.json."""
