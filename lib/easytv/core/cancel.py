"""A cancellation token shared by the service loop and the worker thread.

The loop calls `cancel()` when Kodi asks the service to stop; whatever the worker is blocked in
(a TCP connect, a TLS or MySQL handshake, a read) registered a hook that makes it fail at once,
typically shutting its socket down. Standard library only.
"""

import threading
from typing import Callable, Dict


class Cancelled(Exception):
    """Raised by `Cancel.check()` once the token has been cancelled."""


class Cancel:
    """A one-way flag with hooks: `cancel()` sets it and runs every registered hook once.

    Thread-safe. A hook registered after `cancel()` runs at once, in the registering thread, so
    a connect that starts just after the cancel still fails instead of blocking.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._hooks: Dict[int, Callable[[], None]] = {}
        self._next = 0

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` has been called."""
        return self._cancelled

    def check(self) -> None:
        """Raise `Cancelled` when cancelled."""
        if self._cancelled:
            raise Cancelled("cancelled")

    def register(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run `hook()` on `cancel()` (or now, if already cancelled); returns an `unregister()`."""
        with self._lock:
            if not self._cancelled:
                key = self._next
                self._next += 1
                self._hooks[key] = hook

                def unregister() -> None:
                    with self._lock:
                        self._hooks.pop(key, None)
                return unregister
        hook()
        return lambda: None

    def cancel(self) -> None:
        """Set the flag and run every registered hook (exceptions of a hook are swallowed:
        each hook is a best-effort unblock, e.g. `socket.shutdown`)."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            hooks, self._hooks = list(self._hooks.values()), {}
        for hook in hooks:
            try:
                hook()
            except Exception:  # noqa: BLE001 - an unblock attempt that fails changes nothing
                pass
