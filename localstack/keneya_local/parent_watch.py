"""The stack's child processes never outlive it, even when it is killed without a chance to
stop them: Lambda's sandboxes do not outlive the service, nor does a moto or redis-server."""

from __future__ import annotations

import contextlib
import os
import threading
import time


def exit_with_parent() -> None:
    """In a child written in Python: end this process once its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def die_with_parent() -> None:
    """`preexec_fn` of a child of any kind: the kernel ends it (SIGTERM) when the stack dies."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
