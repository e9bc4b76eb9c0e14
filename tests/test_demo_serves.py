"""`vocapp demo` (as `make demo` runs it) must actually serve the app after building the data.

Flask's ``app.run()`` silently returns inside a command started from the ``flask``/``vocapp`` command
line, so a demo that builds everything and then exits looks fine in ``--no-serve`` tests.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_vocapp_demo_serves_the_login_page_it_prints(tmp_path):
    port = _free_port()
    env = {**os.environ, "VOCAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("VOCAPP_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "vocapp", "demo", "--accounts", "20", "--port", str(port),
         "--database", str(tmp_path / "demo.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output = ""
        for line in process.stdout:
            output += line
            if "Log in at" in line:
                break
        assert re.search(rf"Log in at http://127.0.0.1:{port}/ as \S+ with password \S+", output), output
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2) as response:
                    status = response.status
                break
            except OSError:
                time.sleep(0.3)
        assert process.poll() is None, "vocapp demo exited instead of serving:\n" + output
        assert status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
