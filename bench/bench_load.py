"""Benchmark: the production server under 50 people at once (issue 16, point 5).

    .venv/bin/python bench/bench_load.py [--seconds 60] [--users 50] [--workers 4]
    scripts/with-postgres .venv/bin/python bench/bench_load.py      (on PostgreSQL)

Builds the demo in a fresh temporary WENYI_DATA_DIR as of 15 November 2014
(`WENYI_TODAY=2014-11-15 wenyi setup --demo`: the review round 作品复评 is open and the
demo expert has entries waiting) on SQLite — or, when DATABASE_URL names PostgreSQL,
on that database as it is (use a throwaway cluster: it writes there). The other
WENYI_* settings of the caller are left out, so the run is the same everywhere. Then
starts the production server on a free loopback port, `wenyi serve --workers 4
--no-worker` (gunicorn, sync workers; no task worker, so the originality checks of
the submitted works wait in the queue), waits until `/healthz` answers, and stops the
whole process group at the end, whatever happens.

Against it, locust (headless, as a library, in a child process) runs the mix of
bench/locustfile.py with `--users` simulated people: the office's dashboard,
coordinators recording activities and entering and submitting works, the expert
saving draft scores, each person pausing 1–5 s between two tasks. Every person logs in
first: fifty logins at once, a deliberately slow password hash each (PBKDF2), keep both
cores busy for some ten seconds and queue everything behind them. The mix then runs
`--warmup` seconds more while that queue drains (its figures go to stderr as the
warm-up's), and the `--seconds` measured start after that: the steady state of fifty
people working. Prints the 99th percentile of the
response times of every request of the mix (a redirect and the page it leads to are
two requests), the requests per second, and the errors — responses of 400 and above,
forms shown again instead of the redirect, error messages instead of the success
message after one, tasks that broke; the logins' included:

    BENCH load_p99_ms <ms> ms
    BENCH load_rps <n> rps
    BENCH load_errors <n> errors

Budget: 0 errors, p99 ≤ 300 ms on SQLite.

Beside it, in the same run, its anchor, the ceiling of this server on this machine:
the same number of locust users asking without a pause for `/healthz` only (a bare
view that reads nothing: what the server and the load generator cost without the
app's work) for `--ceiling-seconds`:

    BENCH load_ceiling_rps <n> rps

And the API's lists alone (issue 16: ≥ 40 % of the ceiling): the same number of users,
without a pause, reading the first page of every list of /api/v1/ with the office's
token, for `--api-seconds`:

    BENCH load_api_rps <n> rps
    BENCH load_api_errors <n> errors
    BENCH load_api_ratio <api rps / ceiling rps> x

Progress, the figures per page and the failures go to stderr. Locust shares the
machine with the server: on a small machine both figures include its cost.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TODAY = "2014-11-15"  # 作品复评 open, the expert's entries waiting (wenyi.review.demo)
SPAWN_RATE = 10  # users started per second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--ceiling-seconds", type=int, default=20)
    parser.add_argument("--api-seconds", type=int, default=20)
    parser.add_argument("--child", choices=["load", "ceiling", "api"], help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(PROJECT_DIR))
        figures = run_locust(args.child, args.host, args.users, args.seconds, args.warmup)
        for key, value in figures.items():
            print(f"{key} {value}")
        return

    # a TERM (a CI's time-out) ends the bench through its `finally`s: the server stops
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    env = server_env()
    data_dir = env["WENYI_DATA_DIR"]
    try:
        database = "PostgreSQL" if "DATABASE_URL" in env else "SQLite"
        log(f"# demo as of {TODAY} on {database} in {data_dir}")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "wenyi", "setup", "--demo"],
            env=env,
            cwd=PROJECT_DIR,
            stdout=sys.stderr,
            check=True,
        )
        log(f"# set-up in {time.perf_counter() - start:.0f} s")
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        server_log = Path(data_dir) / "serve.log"
        with server_log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "wenyi", "serve", "--host", "127.0.0.1"]
                + ["--port", str(port), "--workers", str(args.workers), "--no-worker"],
                env=env,
                cwd=PROJECT_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        try:
            wait_healthy(host, server, server_log)
            log(f"# serving at {host} with {args.workers} workers")
            common = ["--host", host, "--users", str(args.users)]
            load = child(
                "load", "--seconds", str(args.seconds), "--warmup", str(args.warmup), *common
            )
            ceiling = child("ceiling", "--seconds", str(args.ceiling_seconds), *common)
            os.environ["WENYI_BENCH_TOKEN"] = api_token(env)
            api = child("api", "--seconds", str(args.api_seconds), *common)
        except BaseException:
            tail = server_log.read_text(errors="replace").splitlines()[-30:]
            log("# the server's last lines:\n" + "\n".join(tail))
            raise
        finally:
            stop(server)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"BENCH load_p99_ms {load['p99_ms']:.0f} ms")
    print(f"BENCH load_rps {load['rps']:.1f} rps")
    print(f"BENCH load_errors {load['errors']:.0f} errors")
    print(f"BENCH load_ceiling_rps {ceiling['rps']:.1f} rps")
    print(f"BENCH load_api_rps {api['rps']:.1f} rps")
    print(f"BENCH load_api_errors {api['errors']:.0f} errors")
    print(f"BENCH load_api_ratio {api['rps'] / ceiling['rps']:.2f} x")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def server_env() -> dict[str, str]:
    """The environment of the set-up and the server: a fresh data folder, the demo's
    day, SQLite unless DATABASE_URL names PostgreSQL, none of the caller's WENYI_*."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WENYI_")}
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    env["WENYI_DATA_DIR"] = tempfile.mkdtemp(prefix="wenyi-bench-load-")
    env["WENYI_TODAY"] = TODAY
    return env


def api_token(env: dict[str, str]) -> str:
    """An API token of the demo's office, made through the service as the page makes it."""
    made = subprocess.run(
        [sys.executable, "-m", "wenyi", "shell", "-c", MAKE_TOKEN],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


MAKE_TOKEN = (
    "from django.contrib.auth import get_user_model; from wenyi.api import services; "
    "print(services.create_token(get_user_model().objects.get(username='office'), "
    "name='bench', valid_days=None)[1])"
)

# the API's lists as a client reads them: each a first page of its default size
API_LISTS = (
    "/api/v1/activities?campaign=linyi-2014",
    "/api/v1/works?campaign=linyi-2014",
    "/api/v1/reports?campaign=linyi-2014",
    "/api/v1/units",
    "/api/v1/people",
    "/api/v1/campaigns",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(host: str, server: subprocess.Popen, server_log: Path) -> None:
    """Until `/healthz` answers "ok" (collectstatic runs first); the server's end or
    five minutes without an answer stop the bench."""
    import urllib.request  # here: the child imports locust (gevent) before ssl

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"wenyi serve stopped with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{host}/healthz", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{host}/healthz did not answer within 300 s")


def stop(server: subprocess.Popen) -> None:
    """Stop the server's whole process group (wenyi serve, gunicorn and its workers)."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            os.killpg(server.pid, 0)  # anyone left in the group?
            time.sleep(0.5)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def child(kind: str, *args: str) -> dict[str, float]:
    """Run `kind` of locust in a fresh interpreter (gevent patches everything it runs
    in); its stdout lines `key value` as {key: value}, its stderr passed on."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_DIR,
    )
    if done.returncode:
        raise SystemExit(f"locust ({kind}) failed with status {done.returncode}")
    return {key: float(value) for key, value in (line.split() for line in done.stdout.splitlines())}


def run_locust(kind: str, host: str, users: int, seconds: int, warmup: int) -> dict[str, float]:
    """`users` locust users of `kind` (the mix of bench/locustfile.py, or the ceiling's
    bare /healthz) against `host`; measured for `seconds` once every user has started
    (logged in, for the mix, and `warmup` seconds more). Progress and failures to stderr."""
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment
    from locust.log import setup_logging

    from bench import locustfile

    class HealthUser(FastHttpUser):
        wait_time = constant(0)

        @task
        def health(self) -> None:
            with self.client.get("/healthz", name="healthz", catch_response=True) as response:
                if response.status_code == 200 and response.text != "ok":
                    response.failure(f"answered {response.text[:80]!r}")

    class ApiUser(FastHttpUser):
        """The office's token reading the API's lists one after another, without a pause."""

        wait_time = constant(0)
        headers = {"Authorization": f"Bearer {os.environ.get('WENYI_BENCH_TOKEN', '')}"}

        @task
        def lists(self) -> None:
            for url in API_LISTS:
                name = url.split("?")[0]
                with self.client.get(
                    url, name=name, headers=self.headers, catch_response=True
                ) as response:
                    if response.status_code == 200 and '"items"' not in response.text:
                        response.failure(f"answered {response.text[:80]!r}")

    setup_logging("WARNING")
    if kind == "api":
        classes = [ApiUser]
    elif kind == "load":
        classes = [
            locustfile.OfficeUser,
            locustfile.ActivityUser,
            locustfile.WorkUser,
            locustfile.ExpertUser,
        ]
    else:
        classes = [HealthUser]
    env = Environment(user_classes=classes, host=host)
    runner = env.create_local_runner()
    start = time.monotonic()
    runner.start(users, spawn_rate=SPAWN_RATE)

    def ready() -> int:
        return locustfile.READY.count if kind == "load" else runner.user_count

    while ready() < users:
        if time.monotonic() - start > 300:
            raise SystemExit(f"only {ready()} of {users} users started in 300 s")
        gevent.sleep(0.2)
    counts = ", ".join(f"{n} {name}" for name, n in sorted(runner.user_classes_count.items()))
    log(f"# {kind}: {counts} started in {time.monotonic() - start:.0f} s")
    if kind == "load" and warmup:
        gevent.sleep(warmup)
        log(f"# warm-up: logins and {warmup} s more, not measured")
        report(env.stats)
    failures = list(env.stats.errors.values())  # the logins' and the warm-up's
    env.stats.reset_all()
    start = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - start
    total = env.stats.total
    figures = {
        "p99_ms": float(total.get_response_time_percentile(0.99)),
        "rps": total.num_requests / elapsed,
    }
    failures += list(env.stats.errors.values())
    broke = sum(row["count"] for row in runner.exceptions.values())
    figures["errors"] = float(sum(f.occurrences for f in failures) + broke)
    log(f"# {kind}: {total.num_requests} requests in {elapsed:.0f} s")
    report(env.stats)
    for failure in failures:
        log(f"# failed {failure.occurrences}× {failure.method} {failure.name}: {failure.error}")
    for row in runner.exceptions.values():
        log(f"# broke {row['count']}×: {row['msg']}\n{row['traceback']}")
    runner.quit()
    return figures


def report(stats) -> None:
    """Count, median and 99th percentile of each request of `stats`, to stderr."""
    log(f"# {'request':<24} {'count':>6} {'median':>7} {'p99':>6} {'failed':>6}  (ms)")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        if not entry.num_requests:
            continue
        log(
            f"# {entry.name:<24} {entry.num_requests:>6} "
            f"{entry.get_response_time_percentile(0.5):>7.0f} "
            f"{entry.get_response_time_percentile(0.99):>6.0f} {entry.num_failures:>6}"
        )
    total = stats.total
    log(
        f"# {'(all)':<24} {total.num_requests:>6} {total.get_response_time_percentile(0.5):>7.0f} "
        f"{total.get_response_time_percentile(0.99):>6.0f} {total.num_failures:>6}"
    )


if __name__ == "__main__":
    main()
