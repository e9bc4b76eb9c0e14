"""Benchmark: 64 concurrent simulated respondents answer the default questionnaire through gunicorn on PostgreSQL.

vocapp is served by gunicorn (2 workers) on a throw-away PostgreSQL database; this process drives
``--concurrency`` respondents at once over loopback, each opening its own link and going through the
welcome page and every questionnaire page (GET and POST per page, CSRF and cookies as a browser) to
the thank-you page, with no think time. It prints requests/s, p50/p95 latency, errors, and completed
flows against completed responses in the database (they must be equal).

The floor: the same gunicorn settings serving bench/respondent_bare.py, a bare Flask view doing the
same database work per request (find the invitation by token hash, update the response JSON), driven
with the same concurrency and number of requests, half of them before vocapp's run and half after. Targets: 0 errors, 0 lost, throughput >= 0.5x the
bare view, p95 < 250 ms.

    python bench/respondent_load.py [--flows 192] [--concurrency 64] [--max-seconds 120]
                                    [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                    [--worker-class sync] [--limiter-storage memory://]
"""
from __future__ import annotations

import argparse
import http.client
import os
import queue
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from _databases import drop_database, make_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GUNICORN = ["--workers", "2", "--log-level", "warning"]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SHOWN = re.compile(r'name="shown"[^>]*value="([^"]+)"')


def set_up(url: str, flows: int, instance: str) -> tuple[list[str], list[str], dict]:
    """Schema, the default questionnaire, one campaign; ``flows`` links for vocapp and as many for the bare view
    (those with an empty partial response, as after the welcome page). Returns both token lists and the definition."""
    from vocapp import create_app
    from vocapp.core.tokens import new_token
    from vocapp.extensions import db
    from vocapp.models import Account, Campaign, Contact, Invitation, Response
    from vocapp.models.base import utcnow
    from vocapp.services.surveys import load_definition_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=instance)
    with app.app_context():
        db.create_all()
        version, _ = load_definition_file(ROOT / "survey_definitions" / "b2b_relationship.yaml")
        campaign = Campaign(survey_version_id=version.id, name="Load test", status="open")
        db.session.add(campaign)
        db.session.flush()
        tokens: dict[str, list[str]] = {"app": [], "bare": []}
        for kind in tokens:
            for n in range(flows):
                contact = Contact(account=Account(external_id=f"{kind}-{n}", name=f"Account {kind} {n}"),
                                  email=f"{kind}-{n}@example.org", relationship="member")
                token, token_hash = new_token()
                db.session.add(contact)
                db.session.flush()
                invitation = Invitation(campaign_id=campaign.id, contact_id=contact.id, token_hash=token_hash,
                                        status="sent", expires_at=utcnow() + timedelta(days=30))
                db.session.add(invitation)
                if kind == "bare":
                    db.session.flush()
                    db.session.add(Response(survey_version_id=version.id, contact_id=contact.id,
                                            invitation_id=invitation.id, source="web", answers={}, page_timings={}))
                tokens[kind].append(token)
        db.session.commit()
        definition = version.definition
        db.engine.dispose()
    return tokens["app"], tokens["bare"], definition


class Server:
    """gunicorn on a socket this process bound to a free loopback port (passed as fd://)."""

    def __init__(self, app: str, env: dict[str, str], extra: list[str]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(2048)
        self.sock.set_inheritable(True)
        self.netloc = f"127.0.0.1:{self.sock.getsockname()[1]}"
        command = [sys.executable, "-m", "gunicorn", *GUNICORN, *extra, "--bind", f"fd://{self.sock.fileno()}", app]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, pass_fds=[self.sock.fileno()])

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                request(self.netloc, "GET", path)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer on {self.netloc}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.sock.close()


def request(netloc: str, method: str, path: str, form: dict | None = None,
            cookies: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One HTTP request on a fresh connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(netloc, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        result_headers = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and cookies is not None:
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
            result_headers[name.lower()] = value
        return response.status, result_headers, response.read().decode()
    finally:
        connection.close()


def simulated_answers(definition: dict, page: dict, rng: random.Random) -> dict[str, object]:
    """Form fields answering every item of ``page`` the way a real respondent might."""
    scales = {scale["id"]: scale for scale in definition.get("scales", [])}
    fields: dict[str, object] = {}
    for item in page["items"]:
        kind, name = item["type"], f"answer-{item['id']}"
        if kind == "likert":
            scale = scales[item["scale"]]
            fields[name] = str(rng.randint(scale["min"], scale["max"]))
        elif kind == "nps":
            fields[name] = str(rng.randint(0, 10))
        elif kind == "single_choice":
            fields[name] = rng.choice(item["options"])["value"]
        elif kind == "multi_choice":
            fields[name] = [option["value"] for option in rng.sample(item["options"], 2)]
        elif kind == "number":
            fields[name] = str(item.get("min", 0))
        else:
            fields[name] = "Simulated comment."
    return fields


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.flows = 0

    def merged(self, other: "Recorder") -> "Recorder":
        both = Recorder()
        both.latencies, both.errors = self.latencies + other.latencies, self.errors + other.errors
        both.flows = self.flows + other.flows
        return both

    def timed(self, *args, expect: int, **kwargs):
        start = time.perf_counter()
        result = request(*args, **kwargs)
        with self.lock:
            self.latencies.append(time.perf_counter() - start)
        if result[0] != expect:
            raise RuntimeError(f"{args[1]} {args[2][:40]}: {result[0]} (expected {expect})")
        return result


def respondent_flow(netloc: str, token: str, definition: dict, record: Recorder, rng: random.Random) -> None:
    """Welcome, start, every page (GET + POST), thank-you: as a browser without JavaScript would."""
    cookies: dict[str, str] = {}
    _, _, html = record.timed(netloc, "GET", f"/s/{token}", cookies=cookies, expect=200)
    _, headers, _ = record.timed(netloc, "POST", f"/s/{token}/start", {"csrf_token": _CSRF.search(html).group(1)},
                                 cookies=cookies, expect=303)
    location = headers["location"]
    pages = {page["id"]: page for page in definition["pages"]}
    while "/page/" in location:
        path = location[location.index("/s/"):]
        _, _, html = record.timed(netloc, "GET", path, cookies=cookies, expect=200)
        form = {"csrf_token": _CSRF.search(html).group(1), "shown": _SHOWN.search(html).group(1), "nav": "next",
                **simulated_answers(definition, pages[path.rsplit("/", 1)[1]], rng)}
        _, headers, _ = record.timed(netloc, "POST", path, form, cookies=cookies, expect=303)
        location = headers["location"]
    _, _, html = record.timed(netloc, "GET", location[location.index("/s/"):], cookies=cookies, expect=200)
    if "Thank you" not in html:
        raise RuntimeError("no thank-you page at the end")


def bare_flow(netloc: str, token: str, requests_per_flow: int, record: Recorder, rng: random.Random) -> None:
    for n in range(requests_per_flow):
        record.timed(netloc, "POST", f"/bare/{token}", {f"q{n}": str(rng.randint(1, 5))}, expect=200)


def drive(work, tokens: list[str], concurrency: int, max_seconds: float) -> tuple[Recorder, float]:
    """Run ``work(token, recorder, rng)`` for every token on ``concurrency`` threads, stopping new flows at the limit."""
    record, pending = Recorder(), queue.Queue()
    for token in tokens:
        pending.put(token)
    deadline = time.monotonic() + max_seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            try:
                token = pending.get_nowait()
            except queue.Empty:
                return
            try:
                work(token, record, rng)
                with record.lock:
                    record.flows += 1
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with record.lock:
                    record.errors.append(str(exc))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record, time.perf_counter() - start


def summary(name: str, record: Recorder, seconds: float) -> float:
    latencies = sorted(record.latencies)
    rate = len(latencies) / seconds if seconds else 0.0
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
    print(f"{name:>10}: {len(latencies):6d} requests in {seconds:6.1f} s = {rate:7.1f} req/s   "
          f"p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   flows {record.flows}   errors {len(record.errors)}")
    for error in record.errors[:5]:
        print(f"            error: {error}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=192, help="respondents who answer the whole questionnaire")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--max-seconds", type=float, default=120, help="start no new flow after this long")
    parser.add_argument("--server-url", default=DEFAULT_URL)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class for both servers")
    parser.add_argument("--limiter-storage", default="memory://",
                        help="VOCAPP_RATELIMIT_STORAGE_URL for vocapp, e.g. redis://127.0.0.1:6379/0 (shared by the workers)")
    args = parser.parse_args()

    url = make_database(args.server_url)
    try:
        with tempfile.TemporaryDirectory() as instance:
            app_tokens, bare_tokens, definition = set_up(url, args.flows, instance)
            env = {**os.environ, "VOCAPP_DATABASE_URL": url, "VOCAPP_SECRET_KEY": "bench", "VOCAPP_INSTANCE_PATH": instance,
                   "VOCAPP_RATELIMIT_STORAGE_URL": args.limiter_storage,
                   "VOCAPP_RESPONDENT_RATE_LIMIT": "1000000 per minute"}  # every simulated respondent is 127.0.0.1
            extra = ["--worker-class", args.worker_class]
            print(f"{args.flows} respondents, {args.concurrency} at a time, gunicorn 2 {args.worker_class} workers, "
                  f"PostgreSQL {make_url(url).host}, rate-limit counters in {args.limiter_storage}")

            # the floor runs both before and after vocapp (half the flows each), so a change in the machine's
            # load during the run weighs on both sides of the ratio
            requests_per_flow = 3 + 2 * len(definition["pages"])  # welcome, start, GET+POST a page, thank-you
            half = args.flows // 2
            bare_before, before_seconds = run_bare(env, extra, bare_tokens[:half], requests_per_flow, args)
            server = Server("wsgi:app", env, extra)
            try:
                server.wait_ready("/s/warm-up")
                app_record, app_seconds = drive(
                    lambda token, record, rng: respondent_flow(server.netloc, token, definition, record, rng),
                    app_tokens, args.concurrency, args.max_seconds)
            finally:
                server.stop()
            measured = round(len(app_record.latencies) / max(app_record.flows, 1))
            engine = create_engine(url)
            with engine.connect() as connection:
                stored = connection.execute(text(
                    "SELECT count(*) FROM responses r JOIN invitations i ON i.id = r.invitation_id "
                    "WHERE r.status = 'complete' AND i.status = 'completed'")).scalar_one()
            engine.dispose()
            bare_after, after_seconds = run_bare(env, extra, bare_tokens[half:],
                                                 requests_per_flow, args)
    finally:
        drop_database(args.server_url, url)

    app_rate = summary("vocapp", app_record, app_seconds)
    summary("bare before", bare_before, before_seconds)
    summary("bare after", bare_after, after_seconds)
    bare_record = bare_before.merged(bare_after)
    bare_rate = summary("bare view", bare_record, before_seconds + after_seconds)
    lost = app_record.flows - stored
    print(f"completed flows {app_record.flows}, completed responses in the database {stored}, lost {lost}")
    print(f"throughput ratio vocapp / bare view: {app_rate / bare_rate:.2f} (target >= 0.5); p95 ratio "
          f"{percentile(app_record, 0.95) / percentile(bare_record, 0.95):.2f}; {measured} requests per respondent")


def run_bare(env: dict[str, str], extra: list[str], tokens: list[str], requests_per_flow: int, args):
    """Serve the bare view and drive ``requests_per_flow`` requests for each token; returns the record."""
    bare = Server("respondent_bare:app", env, [*extra, "--pythonpath", str(ROOT / "bench")])
    try:
        bare.wait_ready("/")
        return drive(lambda token, record, rng: bare_flow(bare.netloc, token, requests_per_flow, record, rng),
                     tokens, args.concurrency, args.max_seconds)
    finally:
        bare.stop()


def percentile(record: "Recorder", fraction: float) -> float:
    latencies = sorted(record.latencies)
    return latencies[int(len(latencies) * fraction)] if latencies else float("nan")


if __name__ == "__main__":
    main()
