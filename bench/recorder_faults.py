"""The recorder's fault campaign: what each fault costs, counted, on this version of the code.

Each scenario runs in a fresh Python process and prints one line of figures. It uses only options
every version has (a store, ``mode``), so the same script measures an older checkout for the
"before" figures (``PYTHONPATH=<checkout> python bench/recorder_faults.py``). Scenarios that need a
PostgreSQL server start a private one (the binaries of the PostgreSQL installation; run as root,
as the tests are); ``--only NAME`` runs some.

    uv run python bench/recorder_faults.py [--only burst,sigterm,...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS: dict[str, str] = {
    # §3: bursts into a healthy SQLite file, default settings.
    "burst": """
        import tempfile, threading
        from actionlogkit import Recorder
        folder = tempfile.mkdtemp()
        rec = Recorder(f"sqlite:///{folder}/logs.db", mode="background")
        push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
        for n in range(20_000):
            push(f"sku-{n}")
        rec.flush()
        stored = rec.store.count()
        print(f"20,000 calls, 1 thread: dropped {rec.stats.dropped:,}, stored {stored:,}")
        rec.close()
    """,
    "burst_processes": """
        import multiprocessing, tempfile, threading
        from actionlogkit import Recorder

        def one(path):
            rec = Recorder(f"sqlite:///{path}", mode="background")
            push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
            threads = [
                threading.Thread(target=lambda t=t: [push(f"{t}-{n}") for n in range(2000)])
                for t in range(8)
            ]
            for thread in threads: thread.start()
            for thread in threads: thread.join()
            rec.flush()
            return rec.stats.dropped

        if __name__ == "__main__":
            path = tempfile.mkdtemp() + "/logs.db"
            from actionlogkit import open_store
            open_store(f"sqlite:///{path}").close()
            with multiprocessing.get_context("spawn").Pool(3) as pool:
                dropped = sum(pool.map(one, [path] * 3))
            stored = open_store(f"sqlite:///{path}").count()
            print(f"48,000 calls, 8 threads x 3 processes: dropped {dropped:,}, stored {stored:,}")
    """,
    # §4: a store taking 0.5 s per batch, results of 100 KB.
    "queue_memory": """
        import resource, time
        from actionlogkit import MemoryStore, Recorder

        class Slow(MemoryStore):
            def _insert(self, records):
                time.sleep(0.5)
                super()._insert(records)

        rec = Recorder(Slow(), mode="background")
        push = rec.action("sync", entity_type="report")(lambda n: f"{n:08d}" + "x" * 99_992)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for n in range(5000):
            push(n)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        stats = rec.stats
        print(f"5,000 results of 100 KB into a 0.5 s/batch store: peak RSS grew"
              f" {grown / 1024:,.0f} MB (queued {stats.queued:,}, dropped {stats.dropped:,})")
        import os; os._exit(0)
    """,
    # §5: 1,000 failed writes, and what the log says about them.
    "failed_writes": """
        import logging, re
        from actionlogkit import MemoryStore, Recorder
        lines = []
        class Keep(logging.Handler):
            def emit(self, record): lines.append(record.getMessage())
        logging.getLogger("actionlogkit").addHandler(Keep())
        class Failing(MemoryStore):
            def _insert(self, records): raise OSError("disk full")
        rec = Recorder(Failing())
        push = rec.action("update", entity_type="product")(lambda: None)
        for _ in range(1000):
            push()
        rec.close()
        said = sum(int(m.group(1).replace(",", "")) for line in lines
                   if (m := re.search(r"(\\d[\\d,]*) record", line)))
        print(f"1,000 failed writes: {len(lines)} warning line(s), saying {said:,} record(s) lost")
    """,
    # §6: SIGTERM with Python's default handling, arriving while records are still queued: the
    # store takes 0.1 s per batch, so a tight loop of 10,000 calls outruns it.
    "sigterm": """
        import os, signal, subprocess, sys, tempfile, textwrap
        out = tempfile.mktemp()
        child = textwrap.dedent('''
            import sys, time
            from actionlogkit import MemoryStore, Recorder
            class FileStore(MemoryStore):
                def _insert(self, records):
                    time.sleep(0.1)
                    super()._insert(records)
                    with open(sys.argv[1], "a") as f: f.write(f"{len(records)}\\\\n")
            rec = Recorder(FileStore(), mode="background")
            push = rec.action("update", entity_type="product")(lambda n: n)
            n = 0
            for n in range(10_000):
                push(n)
            print(n + 1, rec.stats.dropped, flush=True)
            time.sleep(60)
        ''')
        # A file, not -c: with -c the working directory (this checkout) would come first on
        # sys.path, and an older checkout given by PYTHONPATH would not be the one measured.
        script = tempfile.mktemp(suffix=".py")
        with open(script, "w") as f: f.write(child)
        p = subprocess.Popen([sys.executable, script, out], stdout=subprocess.PIPE, text=True)
        made, dropped = (int(x) for x in p.stdout.readline().split())
        p.send_signal(signal.SIGTERM)
        p.wait()
        stored = sum(int(x) for x in open(out).read().split()) if os.path.exists(out) else 0
        lost = made - dropped - stored
        print(f"SIGTERM after {made:,} calls ({dropped:,} dropped before): {lost:,} of"
              f" {made - dropped:,} lost (exit {p.returncode})")
    """,
    # §2: a sync call while PostgreSQL is frozen for 10 s.
    "frozen_postgres": """
        import threading, time
        from actionlogkit import Recorder
        from tests.recorder_sql._private_postgres import private_postgres
        with private_postgres() as server:
            rec = Recorder(server.url)
            push = rec.action("update", entity_type="product")(lambda: None)
            push()
            server.freeze()
            threading.Timer(10, server.thaw).start()
            started = time.perf_counter()
            push()
            took = time.perf_counter() - started
            time.sleep(max(0, 10.5 - took))
            rec.close()
            print(f"one sync call, PostgreSQL frozen for 10 s: {took * 1000:,.0f} ms")
    """,
    # §5: a 5 s PostgreSQL outage under background load, and what the log says.
    "postgres_outage": """
        import logging, re, threading, time
        from actionlogkit import Recorder
        from tests.recorder_sql._private_postgres import private_postgres
        lines = []
        class Keep(logging.Handler):
            def emit(self, record): lines.append(record.getMessage())
        logging.getLogger("actionlogkit").addHandler(Keep())
        with private_postgres() as server:
            rec = Recorder(server.url, mode="background")
            push = rec.action("update", entity_type="product")(lambda n: n)
            stop = threading.Event()
            def work():
                n = 0
                while not stop.is_set():
                    push(n); n += 1; time.sleep(0.001)
            worker = threading.Thread(target=work); worker.start()
            time.sleep(1); server.stop(); time.sleep(5); server.start(); time.sleep(3)
            stop.set(); worker.join(); rec.flush(); rec.close()
            s = rec.stats
            said = sum(int(m.group(1).replace(",", "")) for line in lines
                       if (m := re.search(r"(\\d[\\d,]*) record", line)))
            print(f"5 s outage: {s.failed + s.dropped:,} records lost, {len(lines)} warning"
                  f" line(s) saying {said:,}")
    """,
    # §7: the store down when the recorder is made.
    "down_at_start": """
        from actionlogkit import Recorder
        from tests.recorder_sql._private_postgres import private_postgres
        with private_postgres() as server:
            server.stop()
            try:
                Recorder(server.url).close()
                print("Recorder(url) with the server down: made, records counted until it answers")
            except Exception as exc:
                print(f"Recorder(url) with the server down: raises {type(exc).__name__}")
            server.start()
    """,
    # §8: the keys and texts the campaign found stored verbatim.
    "redaction": """
        import json
        from actionlogkit import MemoryStore, Recorder
        keys = ["X-Api-Key", "Proxy-Authorization", "X-Auth-Token", "secret_key", "db_password",
                "aws_secret_access_key", "auth", "credentials", "passphrase", "id_token", "pwd",
                "cvv"]
        texts = ["https://x.test/?api_key=SECRET", "https://u:SECRET@x.test/",
                 "Authorization: Bearer SECRET"]
        rec = Recorder(MemoryStore())
        push = rec.action("update", entity_type="product")(lambda body: body)
        for key in keys:
            push({key: "SECRET"})
        for text in texts:
            push({"note": text})
        push({"headers": [("Authorization", "SECRET")]})
        stored = [r.model_dump_json() for r in rec.store.list(limit=100).data]
        leaked = sum("SECRET" in raw for raw in stored)
        print(f"{len(keys)} keys, {len(texts)} texts, 1 header pair: {leaked} stored verbatim")
    """,
}


def main() -> None:
    """Run the scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    options = parser.parse_args()
    names = [name for name in options.only.split(",") if name] or list(SCENARIOS)
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            # A file, not -c: multiprocessing's spawned children import the main module.
            script = Path(folder, f"{name}.py")
            script.write_text(textwrap.dedent(SCENARIOS[name]))
            try:
                result = subprocess.run(
                    [sys.executable, str(script)],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": os.pathsep.join(_paths())},
                    timeout=900,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                print(f"{name:<16} did not finish within 900 s", flush=True)
                continue
            lines = result.stdout.strip().splitlines()
            figure = lines[-1] if lines and result.returncode == 0 else result.stderr[-300:]
            print(f"{name:<16} {figure}", flush=True)


def _paths() -> list[str]:
    """The import path of the scenarios: the code measured first, then the repository."""
    given = os.environ.get("PYTHONPATH", "")
    return [*filter(None, given.split(os.pathsep)), str(ROOT)]


if __name__ == "__main__":
    main()
