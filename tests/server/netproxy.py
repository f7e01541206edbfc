"""A TCP forwarder between CareQual and the test cluster, whose "network" a test can cut.

``cut()`` closes every live connection and refuses new ones (the port stops listening), as
a dropped network or a server restart looks to a client; ``restore()`` listens again on the
same port. ``lose_next_commit()`` lets the next COMMIT reach the server, waits until the
server has answered it, and then cuts before the answer reaches the client: the client
cannot know whether its edit was saved. ``stall()`` stops forwarding without closing
anything (a network gone silent, a laptop leaving the Wi-Fi); ``flow()`` forwards again,
the data held meanwhile included.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    """127.0.0.1:``port`` forwards to 127.0.0.1:``upstream``."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._commit_armed = False
        self.commits_lost = 0
        self._flowing = threading.Event()
        self._flowing.set()
        self.port = self._listen(0)

    def _listen(self, port: int) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(16)
        except OSError:
            sock.close()
            raise
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        return int(sock.getsockname()[1])

    def url(self, cluster_url: str) -> str:
        """``cluster_url`` with the proxy's port in place of the cluster's."""
        return cluster_url.replace(f":{self.upstream}/", f":{self.port}/", 1)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # cut: the port no longer listens
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._sockets |= {client, server}
            state = {"swallow": False}
            threading.Thread(
                target=self._pump, args=(client, server, state, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(server, client, state, False), daemon=True
            ).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, state: dict[str, bool], upward: bool
    ) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if upward and self._commit_armed and b"COMMIT\x00" in data:
                self._commit_armed = False
                state["swallow"] = True  # the server's answer never reaches the client
            if not upward and state["swallow"]:
                self.commits_lost += 1
                self.cut()
                self.restore()
                return
            self._flowing.wait()  # stalled: held here, the connection stays open
            try:
                dst.sendall(data)
            except OSError:
                break
        for sock in (src, dst):
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()

    def lose_next_commit(self) -> None:
        """The next COMMIT is carried out by the server, but its answer is lost."""
        self._commit_armed = True

    def stall(self) -> None:
        """Forward nothing more (in either direction) until ``flow``; close nothing."""
        self._flowing.clear()

    def flow(self) -> None:
        """Forward again, what was held during the stall first."""
        self._flowing.set()

    def cut(self) -> None:
        """Drop every connection and refuse new ones until ``restore``."""
        with self._lock:
            listener, self._listener = self._listener, None
            live = list(self._sockets)
            self._sockets.clear()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, frees the port
            with contextlib.suppress(OSError):
                listener.close()
        for sock in live:
            self._close(sock)

    def restore(self) -> None:
        """Listen again on the same port."""
        with self._lock:
            if self._listener is not None:
                return
        self._listen(self.port)

    def close(self) -> None:
        self.flow()
        self.cut()
