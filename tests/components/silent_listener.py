"""A port on 127.0.0.1 that accepts connections and never answers: a server hung after accept, as
a search cluster or Kibana can be under load. The accept loop is bounded by `wait_s`."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator


@contextlib.contextmanager
def silent_listener(wait_s: float) -> Iterator[tuple[int, list[socket.socket]]]:
    """(port, the connections accepted so far); every connection is closed on exit."""
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
                    accepted.append(listener.accept()[0])
                except OSError:
                    continue
        thread = threading.Thread(target=accept)
        thread.start()
        try:
            yield listener.getsockname()[1], accepted
        finally:
            stop.set()
            thread.join()
            for conn in accepted:
                conn.close()
