"""The scheduler's loops heal like the views: retried, counted, stopped only by a repeat.

A loop (a poller such as the deposit watch or the withdrawal worker, or the
schedule's catch-up of job periods) that meets a lost or reset connection, a
restarted database, a lock or statement timeout or a serialization failure
is retried with back-off and counted (projections/engine/trouble.py decides
which errors pass and how long to wait); it is never left dead. Any other
error is retried at once; only when the same error repeats on the same item
(a block, a withdrawal, a job's period, named by `on_item`) is the loop
reported stopped there, and it is tried again on its next tick in case the
cause was mended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from projections.engine.trouble import Troubles

log = logging.getLogger(__name__)


class ItemFailed(Exception):
    """A loop's step failed on one item; the error it met is the cause."""

    def __init__(self, item: str, error: BaseException):
        super().__init__(f"{item}: {error}")
        self.item = item
        self.error = error


@contextmanager
def on_item(item: str) -> Iterator[None]:
    """Name the item a failure inside the block belongs to."""
    try:
        yield
    except ItemFailed:
        raise
    except Exception as error:
        raise ItemFailed(item, error) from error


class Loops:
    """Each loop's troubles, retries and stop (by loop name), and the runs that heal."""

    def __init__(self) -> None:
        self.troubles = Troubles()
        self.errors: dict[str, str] = {}  # stopped loops, by name
        self.on_failed: list[Callable[[str], None]] = []  # a loop's name, per failure
        self._names: list[str] = []
        self._stop = threading.Event()

    def known(self, name: str) -> None:
        if name not in self._names:
            self._names.append(name)

    def run(self, name: str, action: Callable[[], Any],
            within: float | None = None) -> Any:  # float-ok: seconds
        """Run `action` until it succeeds, stops on a repeated error, or `within`
        seconds of retries are spent (the next tick goes on); None unless it succeeded."""
        self.known(name)
        deadline = None if within is None else time.monotonic() + within
        while not self._stop.is_set():
            try:
                result = action()
            except Exception as error:  # noqa: BLE001 - counted, retried or reported
                trouble = self._failed(name, error)
                pause = trouble.due - time.monotonic()
                if trouble.stopped or (deadline is not None
                                       and time.monotonic() + pause > deadline):
                    return None
                self._stop.wait(max(pause, 0))
                continue
            self.troubles.cleared(name)
            self.errors.pop(name, None)
            return result
        return None

    def _failed(self, name: str, error: Exception) -> Any:
        item, cause = (error.item, error.error) if isinstance(error, ItemFailed) else (
            "its step", error)
        trouble = self.troubles.failed(name, item, cause)
        if trouble.stopped:
            message = f"stopped at {item}: {cause}"
            if self.errors.get(name) != message:
                log.error("loop %s %s", name, message, exc_info=error)
            self.errors[name] = message
        elif trouble.first:
            log.warning("loop %s failed at %s (%s); retrying", name, item, cause,
                        exc_info=error)
        for listener in self.on_failed:
            listener(name)
        return trouble

    def stop(self) -> None:
        self._stop.set()

    def resume(self) -> None:
        self._stop.clear()

    def status(self) -> list[dict[str, Any]]:
        return [{"name": name, "error": self.errors.get(name),
                 "retries": self.troubles.retries.get(name, 0)} for name in self._names]
