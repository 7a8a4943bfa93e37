"""End-to-end tests with the python-socketio client (Debian's python3-socketio 5.7) against
sio-e2e-server: connecting with auth over polling and over WebSocket, events echoed (JSON and
binary), acknowledgements with call(), server-to-client acknowledgements, rooms, and refused
namespaces.

Run with the system interpreter, from this directory:
    SIO_E2E_SERVER=../../../build/sio/tests/e2e/sio-e2e-server /usr/bin/python3 -m unittest -v python_client_test
"""

import os
import queue
import re
import subprocess
import unittest

import socketio

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.environ.get("SIO_E2E_SERVER", os.path.join(HERE, "../../../build/sio/tests/e2e/sio-e2e-server"))
TIMEOUT = 5  # seconds: a failure bound, never a wait


class E2EServer:
    """sio-e2e-server on a free port, for the whole test module."""

    def __init__(self):
        if not os.path.exists(SERVER):
            raise RuntimeError(f"{SERVER} not found: build the sio-e2e-server target, or set SIO_E2E_SERVER")
        self.process = subprocess.Popen([SERVER, "--port", "0"], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.fullmatch(r"listening on (\d+)\n", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"sio-e2e-server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self):
        self.process.terminate()
        self.assert_clean_exit()

    def assert_clean_exit(self):
        code = self.process.wait(timeout=TIMEOUT)
        if code != 0:
            raise RuntimeError(f"sio-e2e-server ended with {code}")


server = None


def setUpModule():
    global server
    server = E2EServer()


def tearDownModule():
    server.stop()


class Events:
    """Collects the events a client receives, to wait for them one by one."""

    def __init__(self, client, *names, namespace="/"):
        self.queues = {name: queue.Queue() for name in names}
        for name in names:
            client.on(name, self._handler(name), namespace=namespace)

    def _handler(self, name):
        def handle(*args):
            self.queues[name].put(args)

        return handle

    def next(self, name):
        try:
            return self.queues[name].get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f'no "{name}" event within {TIMEOUT} s') from None


class ClientTestBase:
    """The same tests over each transport; subclasses set `transports`."""

    transports = None

    def connect(self, auth=None, namespaces=None, wait=True):
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        return client, lambda: client.connect(
            server.url,
            auth=auth,
            transports=self.transports,
            namespaces=namespaces or ["/"],
            wait=wait,
            wait_timeout=TIMEOUT,
        )

    def connected(self, auth=None, namespaces=None):
        client, connect = self.connect(auth, namespaces)
        connect()
        return client

    def test_connects_with_auth(self):
        client = self.connected(auth={"token": "py-token", "n": 3})
        self.assertTrue(client.connected)
        self.assertEqual(client.transport(), self.transports[0])
        info = client.call("handshake", timeout=TIMEOUT)
        self.assertEqual(info["auth"], {"token": "py-token", "n": 3})
        self.assertEqual(info["address"], "127.0.0.1")
        self.assertEqual(info["transport"], self.transports[0])

    def test_auth_checking_namespace(self):
        client = self.connected(auth={"token": "secret"}, namespaces=["/auth-check"])
        self.assertEqual(client.call("echo-ack", "in", namespace="/auth-check", timeout=TIMEOUT), "in")

    # Without waiting in connect(): python-socketio would wait its whole wait_timeout after a
    # refusal before raising. The connect_error event says it all.
    def test_refused_by_auth_check(self):
        client, connect = self.connect(auth={"token": "wrong"}, namespaces=["/auth-check"], wait=False)
        events = Events(client, "connect_error", namespace="/auth-check")
        connect()
        self.assertEqual(events.next("connect_error"), ({"message": "invalid token"},))
        self.assertNotIn("/auth-check", client.namespaces)

    def test_refused_with_data(self):
        client, connect = self.connect(namespaces=["/refuse"], wait=False)
        events = Events(client, "connect_error", namespace="/refuse")
        connect()
        self.assertEqual(events.next("connect_error"), ({"message": "not allowed", "data": {"reason": "test"}},))

    def test_events_echoed(self):
        client, connect = self.connect()
        events = Events(client, "echo")
        connect()
        args = ("text", 42, -1.5, None, True, {"nested": {"list": [1, "two", None]}}, ["ünïcødé ✓", "🎉"])
        client.emit("echo", args)
        self.assertEqual(events.next("echo"), args)
        client.emit("echo", "single")
        self.assertEqual(events.next("echo"), ("single",))

    def test_binary_echoed(self):
        client, connect = self.connect()
        events = Events(client, "echo", "binary")
        connect()
        payload = bytes(range(256))
        client.emit("echo", ("before", payload, {"inner": b"\x00\x01"}))
        self.assertEqual(events.next("echo"), ("before", payload, {"inner": b"\x00\x01"}))
        client.emit("binary-back")
        self.assertEqual(events.next("binary"), (bytes(range(256)), {"text": "between"}, b"\xff\x00\x7f"))

    def test_call_with_ack(self):
        client = self.connected()
        self.assertEqual(client.call("echo-ack", "one", timeout=TIMEOUT), "one")
        self.assertEqual(client.call("echo-ack", (1, "two", [3]), timeout=TIMEOUT), (1, "two", [3]))
        self.assertEqual(client.call("echo-ack", b"\x01\x02", timeout=TIMEOUT), b"\x01\x02")

    def test_server_asks_client(self):
        client, connect = self.connect()
        events = Events(client, "ask-result")
        client.on("question", lambda *args: ("answer", {"got": list(args)}))
        connect()
        client.emit("ask-client", (2000, "what?", 7))
        self.assertEqual(events.next("ask-result"), (None, "answer", {"got": ["what?", 7]}))

    def test_rooms(self):
        first = self.connected()
        second = self.connected()
        events = Events(second, "room-message")
        room = f"py-room-{self.transports[0]}"
        self.assertTrue(second.call("join", room, timeout=TIMEOUT))
        self.assertTrue(first.call("to-room", {"room": room, "msg": {"from": "python"}}, timeout=TIMEOUT))
        self.assertEqual(events.next("room-message"), ({"from": "python"},))


class PollingTest(ClientTestBase, unittest.TestCase):
    transports = ["polling"]


class WebSocketTest(ClientTestBase, unittest.TestCase):
    transports = ["websocket"]


if __name__ == "__main__":
    unittest.main()
