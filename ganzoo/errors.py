"""The base of every error ganzoo raises on purpose.

Each ganzoo error names the problem and its fix in one sentence. They also derive from the
built-in type a Python user would catch (``ValueError`` for bad arguments and data,
``RuntimeError`` for a run that cannot go on, ``OSError`` for a file that cannot be written),
and from :class:`GanzooError`, which the command line turns into one line and exit status 2.
"""


class GanzooError(Exception):
    """Base of ganzoo's own errors: the message is meant for the user, as it is."""


class RunError(GanzooError, RuntimeError):
    """A run folder that cannot be used as asked (locked, finished, corrupt, diverged)."""


class WriteError(GanzooError, OSError):
    """A file that could not be written (disk full, permissions); the earlier file is kept."""


class ModelError(GanzooError, ValueError):
    """A model that cannot be used: non-finite weights or outputs, or not what a run says."""
