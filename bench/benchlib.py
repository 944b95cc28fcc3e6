# SPDX-License-Identifier: GPL-3.0-or-later
"""benchlib.py: what every part of `make bench` shares: the scenarios, a row of the table, the
processes it starts and the image server (bench/tessera-bench-server.mjs) they all load from.

Only Python 3's standard library.
"""

import json
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field

JOBS = 8  # Tessera's --jobs, and the concurrency every peer gets
# The pictures: the size the test server's own /list uses, DISTINCT_SEEDS of them written to a
# folder before any client starts, so serving costs the same for every client while every URL
# is still a download of its own.
IMAGE_W, IMAGE_H = 640, 480
DISTINCT_SEEDS = 100
KILL_AFTER_S = 5
SAMPLE_S = 0.1


@dataclass
class Scenario:
    name: str
    tiles: int
    latency_ms: int
    timeout_s: int
    about: str
    press_end_after_s: float | None = None
    warm: bool = False  # measured on the second visit, its cache filled by a first
    tls: bool = False  # HTTP/2 over TLS (HTTP/1.1 for clients that do not offer h2)
    peers: bool = False  # the other clients load the same URLs too
    decode: bool = False  # the decode rows, no server

    def bound_ms(self):
        """What JOBS requests at a time cannot beat: every round waits the latency once."""
        return -(-self.tiles // JOBS) * self.latency_ms


@dataclass
class Run:
    """One row of the table: one client (Tessera with one renderer, or a peer) on one scenario."""
    scenario: Scenario
    client: str
    renderer: str = ""  # Tessera's rows only
    error: str | None = None
    pending: str | None = None  # not measurable on this branch yet, and why
    skipped: str | None = None  # a peer that is not installed
    exit_status: str = ""
    # What the server saw: image requests, connections, the first image request to the last
    # image response on its clock (ms), most requests at once on one connection, HTTP versions.
    image_requests: int | None = None
    connections: int | None = None
    server_ms: float | None = None
    per_connection_max: int | None = None
    protocols: str = ""
    estimate: str = ""  # how server_ms was scaled from a sample, when it was
    loaded: int | None = None
    failed: int | None = None
    peak_rss_mib: float | None = None
    # Tessera's own figures (ms since the app's start unless said otherwise)
    window_ms: float | None = None
    end_ms: float | None = None
    done_at_end: int | None = None
    last_screen: list = field(default_factory=list)
    grid: str = ""
    last_screen_ms: float | None = None  # from End to the last of them done
    all_done_ms: float | None = None
    first_tile_ms: float | None = None
    largest_gap_ms: float | None = None
    largest_gap_before_ms: float | None = None  # from the window to the first tile
    gaps_over_frame: int | None = None
    ticks_per_s: float | None = None
    gl_driver: str = ""
    screenshot: str = ""
    warnings: int = 0
    # The decode rows
    pictures: object = None  # benchpeers.Pictures: what the pair of rows decodes
    cpu_ms_per_thumb: float | None = None
    thumbs: int | None = None
    wall_s: float | None = None
    ratio: float | None = None  # to the scenario's reference row (Chromium, or vipsthumbnail)


class Children:
    """Every process the benchmark starts, stopped (by its own pid) however it ends. Those
    started with group=True get a process group of their own, stopped as a whole."""

    def __init__(self):
        self.procs = []

    def start(self, argv, group=False, **kwargs):
        proc = subprocess.Popen(argv, start_new_session=group, **kwargs)
        proc.group = group
        self.procs.append(proc)
        return proc

    @staticmethod
    def _signal(proc, signum):
        try:
            if proc.group:
                os.killpg(proc.pid, signum)  # the group this script made for it, by its id
            elif proc.returncode is None:
                proc.send_signal(signum)
        except ProcessLookupError:
            pass

    def stop(self, proc):
        if proc.returncode is None:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
                proc.wait()
            except ChildProcessError:
                proc.returncode = -1
        if proc.group:
            self._signal(proc, signal.SIGKILL)  # what it left behind in its group
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.procs)):
            self.stop(proc)


def monotonic_us():
    # CLOCK_MONOTONIC is what g_get_monotonic_time() and Node's process.hrtime read on Linux.
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def read_line(stream, timeout_s, what):
    ready, _, _ = select.select([stream], [], [], timeout_s)
    line = stream.readline() if ready else b""
    if not line:
        raise RuntimeError(f"{what} did not answer")
    return line.decode().strip()


def wait_for_exit(proc, timeout_s, sample=lambda: None):
    """Waits for a child while calling sample(); its exit status, resource usage (wait4) and
    whether it was stopped for taking longer than timeout_s."""
    deadline = time.monotonic() + timeout_s
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage, timed_out
        if time.monotonic() > deadline:
            proc.send_signal(signal.SIGTERM if time.monotonic() < deadline + KILL_AFTER_S else signal.SIGKILL)
            timed_out = True
        sample()
        time.sleep(SAMPLE_S)


def image_url(base, name, seed, query=""):
    return f"{base}/img/{name}.jpg?w={IMAGE_W}&h={IMAGE_H}&seed={seed}{query}"


def client_env(extra=None):
    """The environment without proxies: every server is on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(extra or {})
    return env


class BenchServer:
    """bench/tessera-bench-server.mjs, asked for its counters over its stdin and stdout."""

    def __init__(self, children, root, latency_ms, log, tls=None):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tessera-bench-server.mjs")
        argv = ["node", script, f"--root={root}", f"--latency={latency_ms}"]
        if tls is not None:
            argv += [f"--cert={tls.cert}", f"--key={tls.key}"]
        self.children = children
        self.proc = children.start(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        self.base = read_line(self.proc.stdout, 30, "The image server")

    def _ask(self, command):
        self.proc.stdin.write(f"{command}\n".encode())
        self.proc.stdin.flush()
        return read_line(self.proc.stdout, 30, "The image server")

    def reset(self):
        self._ask("reset")

    def stats(self):
        return json.loads(self._ask("stats"))

    def note(self, run):
        """What the server saw since the last reset, into the run's row."""
        stats = self.stats()
        run.image_requests = stats["image_requests"]
        run.connections = stats["connections"]
        run.per_connection_max = stats["per_connection_max"]
        run.protocols = ", ".join(f"HTTP/{v.removesuffix('.0')}" for v in sorted(stats["protocols"]))
        if stats["first_image_us"] is not None and stats["last_image_us"] is not None:
            run.server_ms = (stats["last_image_us"] - stats["first_image_us"]) / 1000
        return stats

    def stop(self):
        self.children.stop(self.proc)
