"""A TCP proxy on 127.0.0.1 that a test can cut and restore, to fake a network fault.

``TcpProxy(upstream)`` forwards each connection to ``upstream`` (``(host, port)``; ``None``
makes it a server that never forwards). ``cut("blackhole")`` drops every open connection
and then accepts new ones but never answers (packets lost: a connection attempt hangs);
``cut("refuse")`` drops them and resets new ones at once (the server is gone).
``restore()`` forwards again. Threads only, so it runs inside the test process.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

Mode = Literal["forward", "blackhole", "refuse"]


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (not a polite FIN), as a dead peer's host would answer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes the pump thread blocked on it
    sock.close()


def database_address(settings_dict: Mapping[str, Any]) -> tuple[str, int]:
    """Where a PostgreSQL database of ``settings.DATABASES`` listens (the proxy's upstream)."""
    return (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))


def through_proxy(url: str, proxy: TcpProxy) -> str:
    """A ``postgresql://`` URL with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    credentials, at, _address = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{credentials}{at}127.0.0.1:{proxy.port}"))


class TcpProxy:
    def __init__(self, upstream: tuple[str, int] | None, mode: Mode = "forward") -> None:
        self.upstream = upstream
        self.mode: Mode = (
            mode if upstream is not None else ("blackhole" if mode == "forward" else mode)
        )
        self.accepted = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()  # both ends of forwarded connections
        self._held: set[socket.socket] = set()  # blackholed connections
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port: int = self._listener.getsockname()[1]
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- control --------------------------------------------------------------------

    def cut(self, mode: Literal["blackhole", "refuse"]) -> None:
        with self._lock:
            self.mode = mode
            dropped = list(self._open)
            self._open.clear()
        for sock in dropped:
            _reset(sock)

    def restore(self) -> None:
        with self._lock:
            self.mode = "forward"
            held = list(self._held)
            self._held.clear()
        for sock in held:
            _reset(sock)

    def stop(self) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            everything = list(self._open | self._held)
            self._open.clear()
            self._held.clear()
        for sock in everything:
            _reset(sock)
        self._thread.join(timeout=5)

    # --- the proxy itself -----------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                mode = self.mode
                if mode == "blackhole":
                    self._held.add(client)
            if mode == "refuse":
                _reset(client)
            elif mode == "forward":
                threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        assert self.upstream is not None
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        server.settimeout(None)
        with self._lock:
            if self.mode != "forward":  # cut while connecting
                dropped = True
            else:
                dropped = False
                self._open.update((client, server))
        if dropped:
            _reset(client)
            _reset(server)
            return
        threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
        threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        # One side ended: end the other too (a no-op if the cut already closed both).
        with self._lock:
            ours = source in self._open
            self._open.discard(source)
            self._open.discard(target)
        if ours:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
