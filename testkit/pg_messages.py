"""Reading what a PostgreSQL client sends, for the counting proxy (testkit.pgproxy): the types
of the messages in each flight, and the text of each statement run (a Parse names a statement's
text, a Bind runs it, a Query is one). Bytes that are not the plain protocol (TLS) are left
unread."""

import struct
from dataclasses import dataclass, field

# The frontend messages of the extended and simple query protocols (and the rest a client
# sends after start-up); anything else means the bytes are not plain protocol (TLS).
_CLIENT_TYPES = frozenset(b"BCdcfDEHFPpQSX")
_SSL_REQUEST, _GSS_REQUEST = 80877103, 80877104


@dataclass(eq=False)
class ClientMessages:
    """What a client sent in its current flight (the message types), and the text of each
    statement it ran (a Parse names a statement's text, a Bind runs it; a Query is one)."""

    executed: list[str]
    started: bool = False
    opaque: bool = False
    pending: bytearray = field(default_factory=bytearray)
    flight: set[int] = field(default_factory=set)
    prepared: dict[bytes, str] = field(default_factory=dict)

    def feed(self, data: bytes) -> None:
        if self.opaque:
            return
        self.pending += data
        while True:
            if not self.started:
                if len(self.pending) < 8:
                    return
                length, code = struct.unpack("!ii", self.pending[:8])
                if len(self.pending) < length:
                    return
                del self.pending[:length]
                self.started = code not in (_SSL_REQUEST, _GSS_REQUEST)
                continue
            if len(self.pending) < 5:
                return
            kind, length = self.pending[0], struct.unpack("!i", self.pending[1:5])[0]
            if kind not in _CLIENT_TYPES or length < 4:
                self.opaque = True  # encrypted, or not PostgreSQL's protocol: not read
                self.pending.clear()
                return
            if len(self.pending) < 1 + length:
                return
            self._read(kind, bytes(self.pending[5 : 1 + length]))
            del self.pending[: 1 + length]

    def _read(self, kind: int, body: bytes) -> None:
        self.flight.add(kind)
        if kind == ord("P"):  # Parse: statement name, then its text
            name, text = body.split(b"\0", 2)[:2]
            self.prepared[name] = text.decode(errors="replace")
        elif kind == ord("B"):  # Bind: portal name, then the statement's
            name = body.split(b"\0", 2)[1]
            self.executed.append(self.prepared.get(name, "?"))
        elif kind == ord("Q"):
            self.executed.append(body.rstrip(b"\0").decode(errors="replace"))

    def end_flight(self) -> bool:
        """End the current flight (the server answered it); whether it parsed a statement
        without executing anything."""
        prepared = (
            not self.opaque and ord("P") in self.flight and not {ord("E"), ord("Q")} & self.flight
        )
        self.flight.clear()
        return prepared
