"""Ports on 127.0.0.1 that answer no HTTP: `silent_listener` accepts connections and never answers (a
server hung after accept, as a search cluster or Kibana can be under load); `hanging_up_listener`
accepts and closes each connection at once (a proxy dropping its upstream). Both accept loops are
bounded by `wait_s`, after which every connection is closed, so a client with no timeout of its own
still returns."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator


@contextlib.contextmanager
def _listener(wait_s: float, hang_up: bool) -> Iterator[tuple[int, list[socket.socket]]]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.2)
        accepted: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            deadline = time.monotonic() + wait_s
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    conn = listener.accept()[0]
                except OSError:
                    continue
                accepted.append(conn)
                if hang_up:
                    conn.close()
            for conn in accepted:
                conn.close()
        thread = threading.Thread(target=accept)
        thread.start()
        try:
            yield listener.getsockname()[1], accepted
        finally:
            stop.set()
            thread.join()


def silent_listener(wait_s: float) -> contextlib.AbstractContextManager[tuple[int, list[socket.socket]]]:
    """(port, the connections accepted so far); none is answered, all are closed after wait_s or on exit."""
    return _listener(wait_s, hang_up=False)


def hanging_up_listener(wait_s: float) -> contextlib.AbstractContextManager[tuple[int, list[socket.socket]]]:
    """(port, the connections accepted so far); each is closed as soon as it is accepted, before any answer."""
    return _listener(wait_s, hang_up=True)
