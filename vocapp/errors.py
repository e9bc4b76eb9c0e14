"""Errors a user can act on. The CLI prints their message on one line and exits 1."""


class VocappError(Exception):
    """Base class of every error whose message is meant for the person running vocapp."""
