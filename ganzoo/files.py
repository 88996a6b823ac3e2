"""Files that are never half-written, and one writer per run folder.

- :func:`atomic_path` gives a temporary name in the destination's folder and renames it into
  place only when writing succeeded, so a kill or a full disk leaves the earlier file (or
  nothing), never a truncated one.
- :class:`FolderLock` is an ``fcntl`` lock on ``<folder>/.ganzoo.lock``: the kernel drops it
  when its process dies, so even ``SIGKILL`` leaves no stale lock.
"""

import contextlib
import errno
import json
import os
import shutil

from ganzoo.errors import RunError, WriteError

#: the lock file inside a locked folder; it stays there (empty of meaning once unlocked)
LOCK_FILE = ".ganzoo.lock"
TMP_PREFIX = ".tmp-"


def temporary_name(path):
    """``<folder>/.tmp-<pid>-<name>``: same folder (so the rename is atomic), same extension
    (Keras and Pillow pick the format from it)."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    return os.path.join(folder, f"{TMP_PREFIX}{os.getpid()}-{name}")


def remove(path):
    """Remove a file, link or folder if it exists."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with contextlib.suppress(OSError):
            os.remove(path)


@contextlib.contextmanager
def atomic_path(path):
    """Write ``path`` through a temporary name and rename it into place on success.

    Yields the temporary path (a file or a folder may be created there). On any error the
    temporary is removed and ``path`` is left as it was; an ``OSError`` (a full disk, no
    permission) becomes a :class:`~ganzoo.errors.WriteError` that names ``path``.

    Example:

    ```python
    with atomic_path("run/model.keras") as tmp:
        model.save(tmp)
    ```
    """
    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    tmp = temporary_name(path)
    try:
        os.makedirs(folder, exist_ok=True)
        remove(tmp)
        yield tmp
        if not os.path.lexists(tmp):
            raise RuntimeError(f"nothing was written to {tmp!r}")
        fsync(tmp)
        if os.path.isdir(tmp) and not os.path.islink(tmp):
            replace_folder(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException as e:
        remove(tmp)
        if isinstance(e, OSError) and not isinstance(e, WriteError):
            raise write_error(path, e) from e
        raise


@contextlib.contextmanager
def atomic_folder(path):
    """:func:`atomic_path` for a folder: yields a new empty temporary folder (made like any
    folder, with the user's umask) that replaces ``path`` when the block succeeds; an existing
    ``path`` is removed only once the new one has taken its place.

    Example:

    ```python
    with atomic_folder("judges/letters") as tmp:
        model.save(os.path.join(tmp, "model.keras"))
    ```
    """
    with atomic_path(path) as tmp:
        os.mkdir(tmp)
        yield tmp


def replace_folder(tmp, target):
    """Put the complete folder ``tmp`` at ``target`` by renames: an existing ``target`` is moved
    aside only once ``tmp`` is written, and removed only after ``tmp`` took its place."""
    if os.path.exists(target):
        old = tmp + ".old"
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def write_error(path, error):
    """A :class:`WriteError` naming ``path`` and, for a full disk, the fix."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    fix = ("free some space and run the command again" if error.errno == errno.ENOSPC
           else "check the folder's permissions and free space")
    return WriteError(error.errno or errno.EIO, f"Cannot write {path!r}: {reason}; {fix}. "
                                                "The earlier file, if any, is kept.")


def fsync(path):
    """Flush a written file (or every file in a written folder) to disk before it is renamed."""
    paths = [path] if os.path.isfile(path) else [
        os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path, data):
    """Write ``data`` as indented JSON, atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


def read_json(path, what="file"):
    """Read a JSON file; a missing or corrupt file is a :class:`RunError` naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise RunError(f"{path!r} is missing; this {what} is needed here.") from None
    except (OSError, ValueError) as e:
        raise RunError(f"{path!r} is corrupt ({e}); restore it from a backup, or start the run "
                       "again with --force.") from None


class FolderLock:
    """An exclusive, non-blocking lock on a folder, held while a run writes there.

    Args:
        folder: the folder to lock (created if missing).
        what: words for the error message, e.g. ``"training"``.

    Raises:
        RunError: another process holds the lock; the message names its PID.

    Example:

    ```python
    with FolderLock("runs/dcgan"):
        ...   # only this process writes to runs/dcgan
    ```
    """

    def __init__(self, folder, what="writing"):
        self.folder, self.what = os.fspath(folder), what
        self.path = os.path.join(self.folder, LOCK_FILE)
        self.fd = None

    def acquire(self):
        import fcntl

        os.makedirs(self.folder, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode(errors="replace").split(" ")[0].strip() or "unknown"
            os.close(fd)
            raise RunError(f"{self.folder!r} is in use by another ganzoo process (PID {holder}); "
                           "wait for it to finish, or choose another folder.") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.what}\n".encode())
        self.fd = fd
        return self

    def release(self):
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def lock_holder(folder):
    """The PID (as text) of the process holding ``folder``'s lock, or ``None`` when free."""
    import fcntl

    path = os.path.join(os.fspath(folder), LOCK_FILE)
    if not os.path.isfile(path):
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except OSError:
        return os.read(fd, 64).decode(errors="replace").split(" ")[0].strip() or "unknown"
    finally:
        os.close(fd)


def check_unlocked(folder):
    """Raise the :class:`FolderLock` error now when another process holds ``folder``."""
    holder = lock_holder(folder)
    if holder is not None:
        raise RunError(f"{os.fspath(folder)!r} is in use by another ganzoo process (PID "
                       f"{holder}); wait for it to finish, or choose another folder.")
