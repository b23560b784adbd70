"""Random sequences of Winsock calls: nothing escapes but the documented exceptions, and the
network stays consistent (every closed socket gives its port back).

A hypothesis stateful test: the calls are drawn from a small world (two hosts, a few ports,
good and bad addresses) so that collisions, refusals and misuse are frequent.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.world import world
from wsaconnect import constants as C
from wsaconnect import errors as E

ADDRESSES = st.sampled_from(
    [
        ("192.0.2.20", 80),
        ("192.0.2.20", 81),
        ("192.0.2.99", 80),
        ("127.0.0.1", 80),
        ("0.0.0.0", 80),
        ("::1", 80, 0, 0),
        ("2001:db8::20", 80, 0, 0),
        ("::ffff:192.0.2.20", 80, 0, 0),
        ("255.255.255.255", 9),
        b"\x02\x00",
        bytes(16),
        None,
    ]
)
KNOWN_CODES = {int(code) for code in E.WSAError}


class RandomCalls(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        w = world("windows")
        self.net, self.client, self.server = w.net, w.client, w.server
        self.ws = self.client.winsock
        self.ws.WSAStartup()
        self.server.listen(80)
        self.handles: list[int] = []

    def failed(self, rc: object) -> None:
        if rc in (C.SOCKET_ERROR, C.INVALID_SOCKET) or rc == (False, None, None):
            assert self.ws.WSAGetLastError() in KNOWN_CODES

    @rule(af=st.sampled_from([C.AF_INET, C.AF_INET6]), kind=st.sampled_from([1, 2]))
    def make_socket(self, af: int, kind: int) -> None:
        s = self.ws.socket(af, kind)
        assert s != C.INVALID_SOCKET
        self.handles.append(s)

    @rule(data=st.data())
    def connect(self, data: st.DataObject) -> None:
        if self.handles:
            s = data.draw(st.sampled_from(self.handles))
            if data.draw(st.booleans()):
                self.ws.ioctlsocket(s, C.FIONBIO, 1)
            self.failed(self.ws.connect(s, data.draw(ADDRESSES)))

    @rule(data=st.data())
    def bind(self, data: st.DataObject) -> None:
        if self.handles:
            s = data.draw(st.sampled_from(self.handles))
            self.failed(self.ws.bind(s, data.draw(ADDRESSES)))

    @rule(data=st.data())
    def by_list(self, data: st.DataObject) -> None:
        if self.handles:
            s = data.draw(st.sampled_from(self.handles))
            names = data.draw(st.lists(ADDRESSES.filter(lambda a: a is not None), max_size=3))
            self.failed(self.ws.WSAConnectByList(s, names, 5.0))  # type: ignore[arg-type]

    @rule(data=st.data())
    def send_and_select(self, data: st.DataObject) -> None:
        if self.handles:
            s = data.draw(st.sampled_from(self.handles))
            self.failed(self.ws.sendto(s, b"x", 0, data.draw(ADDRESSES)))
            rc, *_ = self.ws.select([s], [s], [s], 0)
            self.failed(rc)

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        if self.handles:
            s = data.draw(st.sampled_from(self.handles))
            assert self.ws.closesocket(s) == 0
            self.handles.remove(s)

    @rule(seconds=st.floats(0, 30))
    def let_time_pass(self, seconds: float) -> None:
        self.net.advance(seconds)

    @invariant()
    def every_port_belongs_to_an_open_socket(self) -> None:
        table = self.client.ports
        for s in self.client.sockets():
            assert s.handle in self.handles
            if s.local is not None:
                assert s.handle in table.holders(s.type, s.local.port)
        assert len(table) <= len(self.handles)

    def teardown(self) -> None:
        for s in list(self.handles):
            assert self.ws.closesocket(s) == 0
        self.net.run_until_idle()
        assert self.client.sockets() == []
        assert len(self.client.ports) == 0  # every port given back


TestRandomCalls = RandomCalls.TestCase
TestRandomCalls.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
