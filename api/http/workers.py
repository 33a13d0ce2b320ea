"""`serve --workers N`: N API processes on one port, each listening on a socket of its own.

uvicorn's multi-process mode shares one listening socket, and a worker's event
loop accepts every connection waiting when it wakes: a burst of keep-alive
clients (a provider's connection pool) lands on one worker while the others
idle (bench/bets.py, 16 clients: one worker at a full core, the other at 2%).
Here each worker listens on a socket of its own with SO_REUSEPORT, and the
kernel spreads new connections over the workers. A worker that dies is
started again; SIGINT or SIGTERM stops them all, each finishing its requests.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess

import uvicorn

APP = "api.http.app:worker_app"  # builds its services from the environment
STOP_SECONDS = 20

log = logging.getLogger(__name__)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to the port with SO_REUSEPORT: one per worker, the kernel
    choosing which takes each new connection."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve_one(host: str, port: int) -> None:
    """One API process (the target of each worker)."""
    server = uvicorn.Server(uvicorn.Config(APP, factory=True, host=host, port=port))
    server.run(sockets=[listening_socket(host, port)])


class Workers:
    def __init__(self, count: int, host: str, port: int):
        self.count = count
        self.host = host
        self.port = port
        self._context = multiprocessing.get_context("spawn")  # no state forked over
        self._processes: list[BaseProcess] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        # Bound (not listening) in this process too: a port another program holds
        # fails here at once, and no program takes it while a worker restarts.
        with listening_socket(self.host, self.port):
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: self._stopping.set())
            self._processes = [self._start() for _ in range(self.count)]
            while not self._stopping.wait(0.5):
                self._restart_dead()
            self._stop_all()

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=serve_one, args=(self.host, self.port),
                                        name="casino-ledger-api", daemon=False)
        process.start()
        return process

    def _restart_dead(self) -> None:
        for n, process in enumerate(self._processes):
            if not process.is_alive() and not self._stopping.is_set():
                log.warning("API process %s exited (%s); starting it again",
                            process.pid, process.exitcode)
                self._processes[n] = self._start()

    def _stop_all(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()  # uvicorn's graceful shutdown
        for process in self._processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
