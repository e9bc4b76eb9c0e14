"""Peak memory and time of reading a large contacts XLSX (default 100,000 rows).

    python bench/import_contacts_xlsx.py [--rows N] [--file PATH]

Generates the workbook once (openpyxl write-only mode), then runs each phase in a fresh
child process and prints its peak resident memory (VmHWM) and time:
- ``baseline``: import pandas, openpyxl and vocapp.core.imports only;
- ``read``: ``read_table`` (what the contacts import does first);
- ``validate``: ``read_table`` + ``validate_contacts``;
- ``app_baseline``: create the Flask app and an empty SQLite database only;
- ``import``: ``import_contacts`` into an empty throw-away SQLite database (everything written);
- ``full_load``: openpyxl ``load_workbook`` without read-only mode (for comparison).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

PHASES = ("baseline", "read", "validate", "app_baseline", "import", "full_load")


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not available")


def generate(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(["email", "first_name", "last_name", "account_id", "account_name", "relationship", "role",
                  "language", "Member Since"])
    for number in range(rows):
        sheet.append([f"person{number}@org{number // 4}.example", f"First{number}", f"Last{number}",
                      f"ORG{number // 4:06d}", f"Organisation {number // 4}", ("member", "customer", "both")[number % 3],
                      ("decision_maker", "influencer", "user")[number % 3], "en", 2000 + number % 25])
    workbook.save(path)


def child(phase: str, path: Path) -> None:
    from vocapp.core.imports import read_table
    from vocapp.core.imports.contacts import validate_contacts

    start = time.perf_counter()
    detail = ""
    if phase == "read":
        frame = read_table(path)
        detail = f"{len(frame)} rows"
    elif phase == "validate":
        result = validate_contacts(read_table(path), path.name)
        detail = f"{len(result.clean)} clean rows, {len(result.errors)} errors"
    elif phase in ("app_baseline", "import"):
        import tempfile

        from vocapp import create_app
        from vocapp.extensions import db
        from vocapp.services.imports import import_contacts

        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "TESTING": True}, folder)
            with app.app_context():
                db.create_all()
                start = time.perf_counter()
                if phase == "import":
                    detail = import_contacts(path).summary()
    elif phase == "full_load":
        from openpyxl import load_workbook
        workbook = load_workbook(path, read_only=False, data_only=False)
        detail = f"{workbook.worksheets[0].max_row} rows"
    print(f"{phase}\t{peak_rss_mib():.0f}\t{time.perf_counter() - start:.1f}\t{detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", type=Path, default=None, help="workbook to (re)use; generated when missing")
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.file or Path(f"/tmp/vocapp_bench_contacts_{args.rows}.xlsx")
    if args.child:
        child(args.child, path)
        return
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s")
    print("phase\tpeak MiB\tseconds\tresult")
    for phase in PHASES:
        out = subprocess.run([sys.executable, __file__, "--child", phase, "--file", str(path)],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
