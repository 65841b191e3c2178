"""The suite's guard refuses any connection that would leave the machine."""

import socket

import pytest

from tests.conftest import NonLoopbackConnection


def test_non_loopback_connect_is_refused():
    s = socket.socket()
    try:
        with pytest.raises(NonLoopbackConnection):
            s.connect(("93.184.216.34", 443))
    finally:
        s.close()


def test_hostname_resolution_is_refused():
    with pytest.raises(NonLoopbackConnection):
        socket.getaddrinfo("api.openai.com", 443)


def test_loopback_is_allowed():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.socket()
    try:
        c.connect(srv.getsockname())
        assert c.getpeername()[0] == "127.0.0.1"
    finally:
        c.close()
        srv.close()
