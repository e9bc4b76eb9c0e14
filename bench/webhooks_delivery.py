"""Benchmark webhook deliveries: N events recorded through the outbox, then sent by ``send_due`` to a
loopback receiver in its own process.

    python bench/webhooks_delivery.py [--n 2000] [--database-url URL]

(with --database-url the tables are created there: give an empty, throw-away database)

Prints, with a floor measured in the same run on the same machine:
- recording: ``record_events`` for N events to one endpoint (event and delivery rows, one transaction)
  against a bare executemany INSERT of N rows of the same width;
- sending: deliveries/s of ``send_due`` (claim, sign, SSRF check, POST, attempt log: three short
  transactions each) against a bare httpx loop POSTing the same body N times over one connection.
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vocapp import create_app  # noqa: E402


def receiver(ports) -> None:
    """The receiver process: answer 200 to every POST."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no 40 ms wait for a delayed ACK between header and body

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ports.put(server.server_port)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="webhooks_bench_"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    ports = multiprocessing.Queue()
    process = multiprocessing.Process(target=receiver, args=(ports,), daemon=True)
    process.start()
    port = ports.get(timeout=30)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WEBHOOK_ALLOW_HTTP_LOOPBACK": True,
                      "TESTING": True}, instance_path=str(folder / "instance"))
    with app.app_context():
        import httpx
        from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

        from vocapp.extensions import db
        from vocapp.services import webhooks
        from vocapp.services.webhooks.outbox import _DISPATCHER

        db.create_all()
        _DISPATCHER.clear()  # no sender started by the commit: send_due below does the sending, timed
        webhooks.create_endpoint(f"http://127.0.0.1:{port}/hook", ["campaign.closed"], allow_private_network=True)
        datas = [{"campaign": {"id": i, "name": f"Campaign {i}"}, "survey": "b2b_relationship", "survey_version": 1,
                  "invitations": 640, "completed": 212} for i in range(args.n)]

        floor_table = Table("bench_floor", MetaData(), Column("id", Integer, primary_key=True),
                            Column("message_id", String(64)), Column("type", String(60)), Column("body", Text))
        floor_table.create(db.engine)
        body = webhooks.outbox.body_of("campaign.closed", datas[0])
        start = time.perf_counter()
        db.session.execute(insert(floor_table), [{"message_id": f"msg_{i:026d}", "type": "campaign.closed",
                                                  "body": body} for i in range(2 * args.n)])  # events + deliveries
        db.session.commit()
        record_floor = time.perf_counter() - start
        start = time.perf_counter()
        webhooks.record_events("campaign.closed", datas)
        db.session.commit()
        record = time.perf_counter() - start

        start = time.perf_counter()
        with httpx.Client(trust_env=False) as client:
            for _ in range(args.n):
                client.post(f"http://127.0.0.1:{port}/hook", content=body.encode(),
                            headers={"content-type": "application/json"}).raise_for_status()
        send_floor = time.perf_counter() - start
        start = time.perf_counter()
        counts = webhooks.send_due()
        send = time.perf_counter() - start
        assert counts == {"ok": args.n}, counts

    process.terminate()
    backend = url.split(":", 1)[0]
    print(f"backend {backend}, n = {args.n} events (machine load affects both figures and their floors alike)")
    print(f"recording: {record:.3f} s ({args.n / record:,.0f} events/s); floor (bare INSERT of "
          f"{2 * args.n} rows) {record_floor:.3f} s; ratio {record / record_floor:.1f}x the floor")
    print(f"sending:   {send:.3f} s ({args.n / send:,.0f} deliveries/s); floor (bare httpx loop) {send_floor:.3f} s "
          f"({args.n / send_floor:,.0f} posts/s); ratio {send / send_floor:.1f}x the floor")


if __name__ == "__main__":
    main()
