#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""run-bench.py: Tessera's benchmark against its peers (issues 10, 11 and 13)

    /usr/bin/python3 bench/run-bench.py [--build=build] [--scenarios=classic,A,H2,B,C,D,decode]
                                        [--renderers=cairo,default]

`make bench` runs it (`make bench BENCH=A` for one scenario). The project's test server draws
the pictures once; then every scenario starts bench/tessera-bench-server.mjs with its latency
(HTTP/1.1, or HTTP/2 over TLS with a certificate made here) and every client loads the same URLs
from it: Tessera from the build tree (--jobs=8, --stats, --exit-when-done) in a real window,
once with GSK_RENDERER=cairo and once with GTK's default renderer (software GL under Xvfb), with
bench/tessera-bench-probe.c preloaded to time the main loop from outside the app's code; and,
where the scenario says, the peers of benchpeers.py (curl, aria2c, wget2, headless Chromium).
Every Tessera run has a disk cache of its own (XDG_CACHE_HOME), empty but for scenario D, which
opens the URLs a first time to fill it and then measures the second visit. The decode scenario
sets the engine's decode path against vipsthumbnail. It prints one Markdown table and writes it
to bench/results/latest.md; each run's files stay in BUILD/bench/runs/.

The app gets a private Xvfb and a private session bus (so accessibility is on, as on a
desktop), both started here. Only Python 3's standard library; every process it starts is a
child of this one and is stopped on the way out, also on SIGINT, SIGTERM or SIGHUP.
"""

import sys

sys.dont_write_bytecode = True  # bench/ keeps no __pycache__

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import benchpeers  # noqa: E402
from benchlib import (DISTINCT_SEEDS, IMAGE_H, IMAGE_W, JOBS, BenchServer, Children, Run, Scenario,  # noqa: E402
                      client_env, image_url, monotonic_us, read_line, wait_for_exit)

RENDERERS = ("cairo", "default")
SCREEN = "1280x1024x24"

# Targets from the issues.
TARGET_END_MS = 300  # issue 10
TARGET_RSS_MIB = 300
TARGET_GAP_MS = 16
TARGET_WARM_SPREAD_MS = 500  # issue 11: all tiles within this of the first, from the cache
TARGET_CLASSIC_BOUND = 1.15  # issue 13, each × the bound ceil(N / 8) × latency
TARGET_H1_BOUND = 1.1
TARGET_H2_CONNECTIONS = 8
AIM_H2_RATIO = 0.6  # × Chromium
# Scenario D's URLs say what Imgur's images say: keep for a year.
WARM_QUERY = "&cc=max-age%3D31536000"

# The grid's geometry, to name the tiles on the last screen (the app does not expose which
# tiles are visible). Tile side from ui/tessera-tile-widget.h; 4 px padding around each cell
# and 6 px around the grid from ui/style.css; the header bar is 51 px tall (measured on a
# screenshot at the default window size under Xvfb: the grid starts at y = 51).
CELL_PADDING_PX = 4
GRID_PADDING_PX = 6
HEADER_BAR_PX = 51

WINDOW_TIMEOUT_S = 60
POLL_S = 0.02
GL_CHECK_AFTER_S = 1.0
SCREENSHOT_AFTER_END_S = 0.5  # shows whether End reached the grid; see the run's folder
GL_DRIVER = re.compile(r"/dri/([^/\s]+_dri\.so)$")  # Mesa's driver, mapped once GL is in use

SCENARIOS = {s.name.upper(): s for s in (
    Scenario("classic", 91, 200, 120, "91 URLs, 200 ms latency: the classic case", peers=True),
    Scenario("A", 1000, 100, 180, "1,000 URLs, 100 ms latency over HTTP/1.1; Tessera's End pressed 2.5 s "
             "after its window appears", press_end_after_s=2.5, peers=True),
    Scenario("H2", 1000, 100, 180, "1,000 URLs, 100 ms latency, HTTP/2 over TLS (a certificate made for the run); "
             "Tessera's End pressed 0.4 s after its window appears", press_end_after_s=0.4, tls=True, peers=True),
    Scenario("B", 1000, 20, 180, "1,000 URLs, 20 ms latency"),
    Scenario("C", 10000, 2, 400, "10,000 URLs, 2 ms latency", peers=True),
    Scenario("D", 1000, 100, 180, "the 1,000 URLs of A (100 ms latency) opened a second time: a warm disk cache",
             warm=True),
    Scenario("decode", benchpeers.DECODE_FILES * benchpeers.DECODE_ROUNDS, 0, 300,
             f"{benchpeers.DECODE_FILES} photos of {benchpeers.DECODE_W}×{benchpeers.DECODE_H} (12 megapixels, "
             f"drawn by bench/tessera-bench-photos.py: quality 90, baseline 4:2:0, one progressive, one 4:4:4, one "
             f"with Exif orientation 6) and, as a second pair of rows, the test server's "
             f"{benchpeers.DECODE_FILES} smooth gradients of that size, each decoded to tiles "
             f"{benchpeers.DECODE_ROUNDS} times by each tool, on every core", decode=True),
)}


def start_xvfb(children):
    read_end, write_end = os.pipe()
    children.start(["Xvfb", "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                   pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        return ":" + read_line(stream, 30, "Xvfb")


def start_bus(children):
    """A session bus of our own; what it starts for the app (the accessibility bus) ends with it."""
    bus = children.start(["dbus-daemon", "--session", "--nofork", "--print-address"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    return read_line(bus.stdout, 30, "dbus-daemon")


def app_env(display, bus, build, cache_home, tls):
    env = client_env()
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("GSK_RENDERER", None)
    env.update(DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=bus, GDK_BACKEND="x11", GSETTINGS_BACKEND="memory",  # default window size
               GSETTINGS_SCHEMA_DIR=os.path.join(build, "data"), XDG_CACHE_HOME=cache_home)
    if tls is not None:
        env.update(SSL_CERT_FILE=tls.ca, CURL_CA_BUNDLE=tls.ca)  # the benchmark's CA, verification on
    return env


# An X client that waits longer than this is stuck: `import` on a window that went away
# while it read it waits for ever.
X_CLIENT_TIMEOUT_S = 20


def on_display(display, *argv, check=False):
    """Runs an X client (xdotool, import) on the benchmark's Xvfb and waits for it."""
    try:
        return subprocess.run(argv, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True,
                              check=check, timeout=X_CLIENT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        if check:
            raise
        return subprocess.CompletedProcess(argv, -1)


def has_exited(pid):
    """Whether the child is a zombie, without reaping it (wait4 later gets its peak RSS)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def find_window(proc, display):
    """The app's first visible window, and when it was seen (CLOCK_MONOTONIC µs)."""
    deadline = time.monotonic() + WINDOW_TIMEOUT_S
    while time.monotonic() < deadline and not has_exited(proc.pid):
        found = on_display(display, "xdotool", "search", "--onlyvisible", "--pid", str(proc.pid))
        seen_us = monotonic_us()
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[0], seen_us
        time.sleep(POLL_S)
    raise RuntimeError("the window did not appear")


def window_size(window, display):
    out = on_display(display, "xdotool", "getwindowgeometry", "--shell", window, check=True).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["WIDTH"]), int(values["HEIGHT"])


def last_screen(n_tiles, width, height, tile_px):
    """The tiles in view once the grid is scrolled to its end, from the window's size."""
    cell = tile_px + 2 * CELL_PADDING_PX
    columns = max(1, (width - 2 * GRID_PADDING_PX) // cell)
    rows_visible = math.ceil((height - HEADER_BAR_PX - GRID_PADDING_PX) / cell)  # a sliver counts
    rows = math.ceil(n_tiles / columns)
    first = max(0, (rows - rows_visible) * columns)
    return list(range(first, n_tiles)), f"{width}×{height} window: {columns} columns × {rows_visible} rows"


def gl_driver(pid):
    try:
        with open(f"/proc/{pid}/maps") as maps:
            names = {m.group(1) for line in maps if (m := GL_DRIVER.search(line.strip()))}
    except OSError:
        return ""
    return ", ".join(sorted(names))


def take_screenshot(window, display, path):
    return path if on_display(display, "import", "-window", window, path).returncode == 0 else ""


def read_probe(path):
    probe = {"gaps": []}
    with open(path) as report:
        for line in report:
            key, *values = line.split()
            if key == "gap":
                probe["gaps"].append((int(values[0]) / 1000, int(values[1]) / 1000))  # end, length (ms)
            elif key == "ticks_per_100ms":
                probe[key] = [int(v) for v in values]
            else:
                probe[key] = int(values[0])
    return probe


def gaps_between(probe, start_ms, end_ms):
    return [length for end, length in probe["gaps"] if end > start_ms and end - length - 1 < end_ms]


def main_loop_figures(run, probe, start_ms, end_ms):
    """The largest gap, gaps over a frame and ticks a second while tiles were arriving."""
    gaps = gaps_between(probe, start_ms, end_ms)
    run.largest_gap_ms = max(gaps, default=1.0)  # gaps up to 1 ms are not listed
    run.largest_gap_before_ms = max(gaps_between(probe, run.window_ms, start_ms), default=1.0)
    run.gaps_over_frame = sum(1 for g in gaps if g > TARGET_GAP_MS)
    buckets = probe.get("ticks_per_100ms", [])
    first, last = math.ceil(start_ms / 100), min(len(buckets), math.floor(end_ms / 100))
    if last > first:
        run.ticks_per_s = sum(buckets[first:last]) / ((last - first) / 10)


class Bench:
    """What every Tessera run of one `make bench` shares."""

    def __init__(self, args, children, tmp, tile_px, tls):
        self.build, self.children, self.tmp, self.tile_px, self.tls = args.build, children, tmp, tile_px, tls
        self.display = self.bus = None

    def env(self, scenario, cache_home):
        if self.display is None:
            self.display, self.bus = start_xvfb(self.children), start_bus(self.children)
        return app_env(self.display, self.bus, self.build, cache_home, self.tls if scenario.tls else None)

    def fill_cache(self, scenario, cache_home):
        """Scenario D's first visit, not measured: the app loads every URL into its cache."""
        argv = [os.path.join(self.build, "src/app/tessera"), f"--jobs={JOBS}", "--exit-when-done",
                urls_path(self.tmp, scenario)]
        with open(os.path.join(self.tmp, f"{scenario.name}-fill.log"), "wb") as log:
            proc = self.children.start(argv, env=self.env(scenario, cache_home), stdout=log,
                                       stderr=subprocess.STDOUT, cwd=self.tmp)
            try:
                status, _, timed_out = wait_for_exit(proc, scenario.timeout_s)
            finally:
                self.children.stop(proc)
        if timed_out or status != 0:
            raise RuntimeError(f"filling the cache: exit status {status}")

    def measure(self, run, server, cache_home):
        scenario = run.scenario
        tag = f"{scenario.name}-{run.renderer}"
        stats_path = os.path.join(self.tmp, f"{tag}-stats.json")
        probe_path = os.path.join(self.tmp, f"{tag}-probe")
        log_path = os.path.join(self.tmp, f"{tag}.log")
        env = self.env(scenario, cache_home)
        display = self.display
        if run.renderer != "default":
            env["GSK_RENDERER"] = run.renderer
        env.update(LD_PRELOAD=os.path.join(self.build, "bench/tessera-bench-probe.so"),
                   TESSERA_BENCH_PROBE_OUT=probe_path)
        argv = [os.path.join(self.build, "src/app/tessera"), f"--jobs={JOBS}", f"--stats={stats_path}",
                "--exit-when-done", urls_path(self.tmp, scenario)]

        server.reset()
        with open(log_path, "wb") as log:
            proc = self.children.start(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp)
            try:
                window, window_us = find_window(proc, display)
                end_us = None
                if scenario.press_end_after_s is not None:
                    width, height = window_size(window, display)
                    run.last_screen, run.grid = last_screen(scenario.tiles, width, height, self.tile_px)
                    time.sleep(max(0.0, window_us / 1e6 + scenario.press_end_after_s - monotonic_us() / 1e6))
                    end_us = monotonic_us()
                    on_display(display, "xdotool", "key", "--window", window, "End", check=True)
                gl_check_at = time.monotonic() + GL_CHECK_AFTER_S
                screenshot_at = None if end_us is None else time.monotonic() + SCREENSHOT_AFTER_END_S

                def sample():
                    nonlocal gl_check_at, screenshot_at
                    if gl_check_at is not None and time.monotonic() > gl_check_at:
                        run.gl_driver = gl_driver(proc.pid)
                        gl_check_at = None
                    if screenshot_at is not None and time.monotonic() > screenshot_at:
                        if not has_exited(proc.pid):
                            run.screenshot = take_screenshot(window, display,
                                                             os.path.join(self.tmp, f"{tag}-after-end.png"))
                        screenshot_at = None

                status, usage, timed_out = wait_for_exit(proc, scenario.timeout_s, sample)
            finally:
                self.children.stop(proc)

        server.note(run)
        with open(log_path, errors="replace") as log:
            run.warnings = sum(1 for line in log if "WARNING" in line or "CRITICAL" in line)
        run.exit_status = "timed out" if timed_out else str(status)
        run.peak_rss_mib = usage.ru_maxrss / 1024
        try:
            probe = read_probe(f"{probe_path}.{proc.pid}")
            with open(stats_path) as stats_file:
                stats = json.load(stats_file)
        except (OSError, ValueError) as error:
            raise RuntimeError(f"exit status {run.exit_status}, {error}") from error
        if "start_us" not in probe:
            raise RuntimeError(f"exit status {run.exit_status}, the probe's report is incomplete")

        start_us = probe["start_us"]  # the app's start, within a fraction of a millisecond
        run.window_ms = (window_us - start_us) / 1000
        run.loaded, run.failed = stats["loaded"], stats["failed"]
        run.all_done_ms = stats["all_tiles_ms"]
        run.first_tile_ms = stats["first_tile_ms"]
        if scenario.tls and run.loaded == 0 and run.failed == scenario.tiles:
            labels = collections.Counter(item.get("error") for item in stats["items"])
            run.pending = (f"the app on this branch does not take the benchmark's CA from SSL_CERT_FILE or "
                           f"CURL_CA_BUNDLE (issue 13's engine part): every picture failed, most with "
                           f"“{labels.most_common(1)[0][0]}”")
        done = [item.get("done_ms") for item in stats["items"]]
        if end_us is not None:
            run.end_ms = (end_us - start_us) / 1000
            run.done_at_end = sum(1 for d in done if d is not None and d <= run.end_ms)
            screen = [done[i] for i in run.last_screen]
            if None not in screen:
                run.last_screen_ms = max(screen) - run.end_ms
        if stats["first_tile_ms"] is not None and run.all_done_ms is not None:
            main_loop_figures(run, probe, stats["first_tile_ms"], run.all_done_ms)


def fmt(value, unit="", digits=0):
    return "—" if value is None else f"{value:,.{digits}f}{unit}"


def within(value, limit):
    return value is not None and value <= limit


def server_time_bound(run):
    return None if run.server_ms is None else run.server_ms / run.scenario.bound_ms()


def targets(run):
    """(what the issues ask, whether this run meets it) for the row; peers have none."""
    asked, met = [], []

    def ask(what, ok):
        asked.append(what)
        met.append(ok)

    name, cairo = run.scenario.name, run.renderer == "cairo"
    if run.scenario.decode and run.client.startswith("Tessera"):
        ask("≥ vipsthumbnail's thumbnails per second per core", within(run.ratio, 1.0))
    if not run.renderer:
        return "; ".join(asked) or "—", met
    if name == "classic":
        ask(f"faster than Chromium; ≤ {TARGET_CLASSIC_BOUND}× the bound",
            within(run.ratio, 0.999) and within(server_time_bound(run), TARGET_CLASSIC_BOUND))
    if name == "A":
        ask(f"last screen ≤ {TARGET_END_MS} ms after End", within(run.last_screen_ms, TARGET_END_MS))
        ask(f"faster than Chromium; ≤ {TARGET_H1_BOUND}× the bound",
            within(run.ratio, 0.999) and within(server_time_bound(run), TARGET_H1_BOUND))
    if name == "H2":
        ask(f"no slower than Chromium (aim {AIM_H2_RATIO}×) on ≤ {TARGET_H2_CONNECTIONS} connections",
            within(run.ratio, 1.0) and within(run.connections, TARGET_H2_CONNECTIONS))
        ask(f"last screen ≤ {TARGET_END_MS} ms after End", within(run.last_screen_ms, TARGET_END_MS))
    if name == "C":
        ask(f"peak RSS ≤ {TARGET_RSS_MIB} MB", within(run.peak_rss_mib, TARGET_RSS_MIB))
    if name == "D":
        spread = None if None in (run.all_done_ms, run.first_tile_ms) else run.all_done_ms - run.first_tile_ms
        ask(f"0 image requests; all tiles ≤ {TARGET_WARM_SPREAD_MS} ms after the first",
            run.image_requests == 0 and within(spread, TARGET_WARM_SPREAD_MS))
    if name in ("B", "C") and cairo:
        ask(f"largest gap ≤ {TARGET_GAP_MS} ms", within(run.largest_gap_ms, TARGET_GAP_MS))
    elif name in ("B", "C"):
        asked.append("largest gap as low as software GL allows")
    return "; ".join(asked), met


def time_cell(run):
    if run.scenario.decode:
        if run.cpu_ms_per_thumb is None:
            return "—"
        return (f"{run.cpu_ms_per_thumb:.1f} ms CPU a thumbnail = {1000 / run.cpu_ms_per_thumb:,.0f} "
                f"thumbnails/s per core ({run.thumbs} in {run.wall_s:.2f} s on {os.cpu_count()} cores)")
    if run.server_ms is None:
        return "—"
    if run.estimate:
        return f"≈ {run.server_ms / 1000:,.2f} s ({run.estimate})"
    return f"{run.server_ms / 1000:,.2f} s"


def connections_cell(run):
    if run.connections is None:
        return "—"
    if not run.connections:
        return "0"
    if not run.protocols:
        return f"{run.connections:,} (not one got as far as a request)"
    return f"{run.connections:,} ({run.protocols}; ≤ {run.per_connection_max} at once on one)"


def client_cell(run):
    if not run.renderer:
        return run.client
    if run.renderer == "default":
        return run.client + (f", default renderer (GL: {run.gl_driver})" if run.gl_driver else
                             ", default renderer (no GL driver mapped)")
    return f"{run.client}, {run.renderer} renderer"


def met_cell(run, met):
    if run.pending is not None:
        return "pending"
    if run.skipped is not None:
        return "—"
    if run.error is not None or not met:
        return "—"
    return ", ".join("yes" if m else "**no**" for m in met)


def table(runs):
    head = ["Scenario", "Client", "Loaded / failed", "Image requests", "Connections",
            "Time: first image request → last response (server's clock)", "× Chromium (decode: × vipsthumbnail)",
            "× bound", "Window mapped", "First tile", "All tiles done", "Last screen after End", "Peak RSS",
            "Largest gap while loading", "Gaps > 16 ms", "Main-loop ticks/s", "Target (issues 10, 11, 13)", "Met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in runs:
        scenario = run.scenario
        after_end = "—"
        if scenario.press_end_after_s is not None and run.renderer:
            after_end = f"{fmt(run.last_screen_ms, ' ms')} (last {len(run.last_screen)} tiles)"
        asked, met = targets(run)
        if run.pending is not None:
            loaded = f"pending: {run.pending}"
        elif run.skipped is not None:
            loaded = f"skipped: {run.skipped}"
        elif run.error is not None:
            loaded = f"**run failed**: {run.error}"
        else:
            loaded = f"{fmt(run.loaded)} / {fmt(run.failed)}"
        bound = None if scenario.decode else server_time_bound(run)
        ratio = "" if run.ratio is None else f"{run.ratio:.2f}×"
        cells = [scenario_cell(run), client_cell(run), loaded, fmt(run.image_requests), connections_cell(run),
                 time_cell(run), ratio or "—", "—" if bound is None else f"{bound:.2f}×",
                 fmt(run.window_ms, " ms"), fmt(run.first_tile_ms, " ms"),
                 fmt(None if run.all_done_ms is None else run.all_done_ms / 1000, " s", 1), after_end,
                 fmt(run.peak_rss_mib, " MB"), fmt(run.largest_gap_ms, " ms"), fmt(run.gaps_over_frame),
                 fmt(run.ticks_per_s), asked, met_cell(run, met)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scenario_cell(run):
    scenario = run.scenario
    if scenario.decode and run.pictures is not None:
        return f"decode: {scenario.tiles} × 12 MP {run.pictures.label} ({run.pictures.mean_mb():.1f} MB a file)"
    if scenario.decode:
        return "decode"
    protocol = ", HTTP/2 + TLS" if scenario.tls else ""
    visit = ", second visit" if scenario.warm else ""
    return f"{scenario.name}: {scenario.tiles:,} at {scenario.latency_ms} ms{protocol}{visit}"


def notes(runs):
    out = []
    for run in runs:
        if run.error is not None or not run.renderer:
            continue
        tag = f"{run.scenario.name}/{run.renderer}"
        extra = (f"exit status {run.exit_status}, {run.warnings} warning lines in its log; largest gap from the "
                 f"window to the first tile {fmt(run.largest_gap_before_ms, ' ms')}")
        if run.scenario.warm and None not in (run.all_done_ms, run.window_ms, run.first_tile_ms):
            extra += (f"; from the window to the last tile {run.all_done_ms - run.window_ms:,.0f} ms, from the "
                      f"first tile to the last {run.all_done_ms - run.first_tile_ms:,.0f} ms")
        if run.end_ms is not None:
            extra += (f"; End pressed {run.end_ms:,.0f} ms after start with {run.done_at_end:,} tiles done; "
                      f"last screen = tiles {run.last_screen[0]}–{run.last_screen[-1]} ({run.grid})")
            if run.screenshot:
                extra += f"; screenshot {SCREENSHOT_AFTER_END_S:.1f} s after End: {os.path.relpath(run.screenshot)}"
        out.append(f"- {tag}: {extra}")
    return "\n".join(out)


def git_revision():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def versions():
    """What the peers are, as they name themselves."""
    found = []
    for argv in (["chromium", "--version"], ["curl", "--version"], ["aria2c", "--version"], ["wget2", "--version"],
                 ["vipsthumbnail", "--vips-version"], ["node", "--version"]):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = re.search(r"\d+(\.\d+)+", out)
        if version:
            found.append(f"{argv[0]} {version.group(0)}")
    return "; ".join(found)


def report(runs, command, elapsed_s, load_before):
    scenarios = [s for s in SCENARIOS.values() if any(run.scenario is s for run in runs)]
    return f"""# Tessera benchmark

Command: `{command}`

Revision {git_revision()}, {time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} CPUs ({cpu_model()}); \
Xvfb {SCREEN}; GTK {gtk_version()}; load average {load_before:.1f} before the run (other work on the \
machine skews every figure); the whole run took {elapsed_s:.0f} s.

{chr(10).join(f'- {s.name}: {s.about}' for s in scenarios)}

{table(runs)}

How it is measured: every client loads the same URL list from `bench/tessera-bench-server.mjs` on \
127.0.0.1 (Node), which waits the scenario's latency before every response (an HTTP/1.1 connection \
carries one request at a time, an HTTP/2 one up to 128 streams) and serves {IMAGE_W}×{IMAGE_H} JPEGs \
drawn beforehand by the project's test server ({DISTINCT_SEEDS} distinct pictures, every URL a download \
of its own). The time column is the server's clock from the first image request to the last image \
response, the same for every client, so no start-up counts; × Chromium divides it by Chromium's on the \
same scenario (below 1 is faster), × bound by ceil(N / {JOBS}) × latency, the least {JOBS} requests at a \
time can take. Peers get {JOBS} at a time (`--parallel-max`, `-j`, `--max-threads`); Chromium uses its own \
rules (6 connections a host over HTTP/1.1, one multiplexed connection over HTTP/2). The shell loop runs on \
the first {benchpeers.SEQUENTIAL_SAMPLE} URLs only where there are more, its time scaled. Connections \
are the server's count of TCP connections. Tessera is `tessera --jobs={JOBS} --stats=FILE --exit-when-done \
URLS` from the build tree, in a real window under Xvfb (default size, settings in memory, a private session \
bus with accessibility on as on a desktop), with the benchmark's CA in SSL_CERT_FILE and CURL_CA_BUNDLE \
(verification stays on). Its own times are milliseconds since the app's start (its `--stats` clock); the \
preloaded probe notes CLOCK_MONOTONIC as the app loads, so the End press and the window (polled with \
`xdotool search` every {POLL_S * 1000:.0f} ms) are on the same clock. The last screen is computed from \
the window's size and the grid's geometry. Peak RSS is the maximum resident set from `wait4` (MB = 2^20 \
bytes; Chromium's is left out, it is many processes). The main loop is timed by \
`bench/tessera-bench-probe.c`, preloaded: a 1 ms GLib timeout at default priority on the app's main \
context; a gap is the time between two ticks minus 1 ms, counted from the first tile done to the last. \
The decode rows divide the CPU time (user + system, from `wait4`) by the thumbnails made: \
`tessera-bench-decode` runs `tessera_image_decode_tile` on one thread a core, `vipsthumbnail` runs as one \
process a core with `VIPS_CONCURRENCY=1`, both on the same files to the same centre square; each pair of rows \
has its own pictures: photos drawn by `bench/tessera-bench-photos.py` (fine detail and sensor noise, as a \
camera's), then the test server's smooth gradients, which code to a tenth of that and so flatter both decoders.

Peers: {versions()}.

{notes(runs)}
"""


def gtk_version():
    out = subprocess.run(["pkg-config", "--modversion", "gtk4"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def tile_size(source):
    with open(os.path.join(source, "src/ui/tessera-tile-widget.h")) as header:
        return int(re.search(r"#define TESSERA_TILE_SIZE\s+(\d+)", header.read()).group(1))


def urls_path(tmp, scenario):
    return os.path.join(tmp, f"urls-{scenario.name}.txt")


def write_urls(tmp, base, scenario):
    query = WARM_QUERY if scenario.warm else ""
    urls = [image_url(base, f"t{i}", i % DISTINCT_SEEDS, query) for i in range(scenario.tiles)]
    with open(urls_path(tmp, scenario), "w") as out:
        out.write("\n".join(urls) + "\n")
    return urls


def empty_folder(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def set_ratios(runs, reference):
    """Each row's time over the reference row's (decode rows: CPU a thumbnail)."""
    ref = next((r for r in runs if r.client.startswith(reference) and r.error is None), None)
    key = (lambda r: r.cpu_ms_per_thumb) if reference == "`vipsthumbnail" else (lambda r: r.server_ms)
    if ref is None or not key(ref):
        return
    for run in runs:
        if key(run) is not None and run.error is None and run.pending is None:
            run.ratio = key(run) / key(ref)


def run_tessera(bench, scenario, server, renderers):
    runs = []
    cache_home = empty_folder(os.path.join(bench.tmp, f"{scenario.name}-cache"))
    fill_error = None
    if scenario.warm:
        print(f"{scenario.name}: filling the cache…", file=sys.stderr, flush=True)
        try:
            bench.fill_cache(scenario, cache_home)
        except (RuntimeError, OSError) as error:
            fill_error = str(error)
    for renderer in renderers:
        run = Run(scenario, "Tessera", renderer)
        print(f"{scenario.name} ({scenario.about}): Tessera, renderer {renderer}…", file=sys.stderr, flush=True)
        if not scenario.warm:
            empty_folder(cache_home)
        try:
            if fill_error is not None:
                raise RuntimeError(fill_error)
            bench.measure(run, server, cache_home)
        except (RuntimeError, OSError, KeyError, ValueError, subprocess.CalledProcessError) as error:
            run.error = str(error)
        runs.append(run)
    return runs


def decode_picture_sets(args, bench, scenario, root):
    """What the decode rows decode: the photos (drawn when the folder has none from this maker),
    the smooth gradients; and a failed row when the photos could not be drawn."""
    sets, failed = [], []
    print("The photos (drawn when missing: most of a minute)…", file=sys.stderr, flush=True)
    try:
        with open(os.path.join(bench.tmp, "photos.log"), "wb") as log:
            folder = benchpeers.make_photos(bench.children, os.path.join(args.build, "bench", "photos"), log)
        sets.append(benchpeers.decode_pictures("photos", "photos", folder))
    except (RuntimeError, OSError) as error:
        failed.append(Run(scenario, "`bench/tessera-bench-photos.py`", error=str(error)))
    sets.append(benchpeers.decode_pictures("smooth", "smooth gradients", os.path.join(root, "smooth")))
    return sets, failed


def run_decode(args, bench, scenario, root):
    """A pair of rows for each set of pictures, each pair with its own ratio."""
    sets, runs = decode_picture_sets(args, bench, scenario, root)
    for pictures in sets:
        print(f"decode: {pictures.label}…", file=sys.stderr, flush=True)
        pair = [benchpeers.decode_vips(bench.children, scenario, pictures, bench.tmp, bench.tile_px),
                benchpeers.decode_tessera(bench.children, scenario, args.build, pictures, bench.tile_px)]
        set_ratios(pair, "`vipsthumbnail")
        runs += pair
    return runs


def run_scenario(args, bench, scenario, root):
    if scenario.decode:
        print(f"decode ({scenario.about})…", file=sys.stderr, flush=True)
        return run_decode(args, bench, scenario, root)
    with open(os.path.join(bench.tmp, f"{scenario.name}-server.log"), "wb") as log:
        server = BenchServer(bench.children, root, scenario.latency_ms, log,
                             bench.tls if scenario.tls else None)
        try:
            urls = write_urls(bench.tmp, server.base, scenario)
            runs = run_tessera(bench, scenario, server, args.renderers)
            if scenario.peers:
                print(f"{scenario.name}: the peers…", file=sys.stderr, flush=True)
                page = benchpeers.write_page(root, scenario, urls)
                runs += benchpeers.Peers(bench.children, server, scenario, urls, bench.tmp,
                                         bench.tls if scenario.tls else None).all(page)
                set_ratios(runs, "Chromium")
        finally:
            server.stop()
    return runs


def run_all(args, children, runs):
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = os.path.join(args.build, "bench", "runs")
    root = empty_folder(os.path.join(tmp, "www"))
    print("Drawing the pictures…", file=sys.stderr, flush=True)
    with open(os.path.join(tmp, "pictures.log"), "wb") as log:
        benchpeers.make_images(children, args.build, root, log)
    tls = benchpeers.make_certificate(os.path.join(tmp, "tls"))
    bench = Bench(args, children, tmp, tile_size(source), tls)
    for name in args.scenarios:
        runs += run_scenario(args, bench, SCENARIOS[name], root)


def parse_args():
    parser = argparse.ArgumentParser(description="Tessera's benchmark against its peers (issues 10, 11, 13)")
    parser.add_argument("--build", default="build", help="the meson build directory")
    parser.add_argument("--scenarios", default=",".join(s.name for s in SCENARIOS.values()),
                        help="comma-separated, of " + ", ".join(s.name for s in SCENARIOS.values()))
    parser.add_argument("--renderers", default=",".join(RENDERERS), help="comma-separated, of cairo, default")
    parser.add_argument("--output", default="bench/results/latest.md", help="where the Markdown report goes")
    parser.add_argument("--command", help="the command to name in the report (default: this one)")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.scenarios = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()] or list(SCENARIOS)
    args.renderers = [r.strip() for r in args.renderers.split(",") if r.strip()]
    for name in args.scenarios:
        if name not in SCENARIOS:
            parser.error(f"no scenario {name} (one of {', '.join(s.name for s in SCENARIOS.values())})")
    for renderer in args.renderers:
        if renderer not in RENDERERS:
            parser.error(f"no renderer {renderer} (cairo or default)")
    return args


def stop_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main():
    args = parse_args()
    command = args.command or shlex.join([sys.executable] + sys.argv)
    children = Children()
    runs = []
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    try:
        run_all(args, children, runs)
    finally:
        children.stop_all()
    text = report(runs, command, time.monotonic() - started, load_before)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as out:
        out.write(text)
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
