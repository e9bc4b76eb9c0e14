"""Start-up cost: `vocapp --help` against `flask --version`, and a gunicorn worker's memory against a
bare Flask app's worker, both measured in the same run from the same environment.

    python bench/startup.py [--runs 7] [--skip-worker]

Targets (issue 10): `vocapp --help` within 3x `flask --version`; a vocapp gunicorn worker under 150 MB
resident after serving the login page. Times are medians of --runs runs (wall clock, so a loaded
machine inflates both sides); memory is the worker's VmRSS from /proc after one request.
"""
from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BARE_APP = textwrap.dedent("""\
    from flask import Flask, render_template_string
    app = Flask(__name__)

    @app.get("/")
    def index():
        return render_template_string("<form><input name=email></form>")
""")


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall-clock seconds of running ``command`` ``runs`` times (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket: gunicorn listens on one, so no TCP port is ever fixed or taken."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=120)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def worker_rss_after(app_spec: str, chdir: Path, url: str, env: dict[str, str]) -> tuple[float, int]:
    """Start gunicorn (one sync worker) serving ``app_spec``, GET ``url`` once, return (worker MB, status)."""
    with tempfile.TemporaryDirectory() as folder:
        sock = str(Path(folder) / "gunicorn.sock")
        master = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"unix:{sock}",
                                   "--chdir", str(chdir), "--log-level", "warning", app_spec], env=env)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    connection = UnixHTTPConnection(sock)
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if master.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not serve {app_spec}") from None
                    time.sleep(0.2)
            workers = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
            return rss_mb(int(workers[0])), response.status
        finally:
            master.terminate()
            master.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (median reported)")
    parser.add_argument("--skip-worker", action="store_true", help="only time the commands")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        env = dict(os.environ, VOCAPP_INSTANCE_PATH=instance,
                   VOCAPP_DATABASE_URL=f"sqlite:///{Path(instance) / 'vocapp.db'}")
        env.pop("FLASK_APP", None)
        flask_s = median_seconds([str(BIN / "flask"), "--version"], args.runs, env)
        vocapp_s = median_seconds([str(BIN / "vocapp"), "--help"], args.runs, env)
        print(f"flask --version   {flask_s * 1000:7.0f} ms  (median of {args.runs})")
        print(f"vocapp --help     {vocapp_s * 1000:7.0f} ms  {vocapp_s / flask_s:5.1f}x flask --version  (target <= 3x)")
        if args.skip_worker:
            return
        subprocess.run([str(BIN / "vocapp"), "init-db"], check=True, stdout=subprocess.DEVNULL, env=env)
        bare = Path(instance) / "bare"
        bare.mkdir()
        (bare / "bare_app.py").write_text(BARE_APP)
        bare_mb, _ = worker_rss_after("bare_app:app", bare, "/", env)
        vocapp_mb, status = worker_rss_after("wsgi:app", ROOT, "/auth/login", env)
        print(f"bare Flask worker {bare_mb:7.0f} MB  after GET /")
        print(f"vocapp worker     {vocapp_mb:7.0f} MB  after GET /auth/login [{status}]  "
              f"{vocapp_mb / bare_mb:5.1f}x the bare worker  (target < 150 MB)")


if __name__ == "__main__":
    main()
