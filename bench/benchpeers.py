# SPDX-License-Identifier: GPL-3.0-or-later
"""benchpeers.py: `make bench`'s other clients, the pictures and certificate they share, and the
decode rows.

Every peer loads the scenario's URL list from the same bench/tessera-bench-server.mjs as Tessera
and is timed by that server's clock, from the first image request to the last image response,
so no client's start-up counts. JOBS requests at a time for each (Tessera's --jobs):

- the classic script: a shell loop running curl once a URL, one after the other; on more than
  SEQUENTIAL_SAMPLE URLs only the first SEQUENTIAL_SAMPLE are fetched and the time scaled;
- `curl --parallel --parallel-max JOBS` (with --http2 on the HTTP/2 scenario, and there a second
  row at H2_PARALLEL transfers, what a multiplexing client may keep in flight);
- `aria2c -j JOBS` (HTTP/1.1 only, also over TLS) and `wget2 --max-threads=JOBS`, when installed;
- headless Chromium opening a page of the same URLs as <img> tags (its own connection rules).

The decode rows set `tessera-bench-decode` (the engine's tessera_image_decode_tile on every
core) against `vipsthumbnail` on the same 12-megapixel JPEGs, by CPU time per thumbnail: a pair
of rows on photos drawn by bench/tessera-bench-photos.py, and a pair on the test server's smooth
pictures.
"""

import concurrent.futures
import glob
import hashlib
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass

from benchlib import DISTINCT_SEEDS, JOBS, Run, client_env, image_url, read_line, wait_for_exit

SEQUENTIAL_SAMPLE = 100
H2_PARALLEL = 128  # JOBS workers × 16 transfers each, issue 13's example; also the server's stream cap
DECODE_W, DECODE_H = 4000, 3000  # 12 megapixels; the test server's largest side is 4000
DECODE_FILES = 8  # of each kind: photos, and the test server's smooth pictures
DECODE_ROUNDS = 8  # each file decoded this many times by each tool
# The photos' maker needs Debian's numpy and PIL (python3-numpy, python3-pil), whichever
# Python runs this driver.
PHOTOS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tessera-bench-photos.py")
PHOTOS_PYTHON = "/usr/bin/python3"
PHOTOS_TIMEOUT_S = 600
CHROMIUM_WINDOW = "980,720"  # Tessera's default window
PEER_TIMEOUT_FACTOR = 4  # of the scenario's bound, before a peer is stopped
PEER_TIMEOUT_MIN_S = 60


@dataclass
class Tls:
    ca: str  # the benchmark's own CA, the only thing a client is told to trust
    cert: str  # the server's certificate for 127.0.0.1, signed by the CA
    key: str
    spki: str  # base64 SHA-256 of the server key, for Chromium


def _openssl(*argv, cwd):
    subprocess.run(["openssl", *argv], cwd=cwd, check=True, capture_output=True)


def make_certificate(folder):
    """A CA and a certificate for 127.0.0.1 signed by it, made afresh for every run."""
    os.makedirs(folder, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
             "/CN=Tessera benchmark CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    with open(os.path.join(folder, "server.ext"), "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=folder)
    pubkey = subprocess.run(["openssl", "x509", "-in", "server.pem", "-pubkey", "-noout"], cwd=folder, check=True,
                            capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pubkey, check=True,
                         capture_output=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, check=True,
                            capture_output=True).stdout
    spki = subprocess.run(["base64"], input=digest, check=True, capture_output=True).stdout.decode().strip()
    return Tls(*(os.path.join(folder, name) for name in ("ca.pem", "server.pem", "server.key")), spki)


def make_images(children, build, root, log):
    """The project's test server draws the pictures once; they go to root/img/SEED.jpg (the
    thumbnails every client loads) and root/smooth/SEED.jpg (12-megapixel gradients)."""
    server = children.start([os.path.join(build, "tests/support/tessera-test-server"), "--latency=0"],
                            stdout=subprocess.PIPE, stderr=log)
    try:
        base = read_line(server.stdout, 30, "The test server")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        wanted = [(image_url(base, f"s{seed}", seed), os.path.join(root, "img", f"{seed}.jpg"))
                  for seed in range(DISTINCT_SEEDS)]
        wanted += [(f"{base}/img/d{seed}.jpg?w={DECODE_W}&h={DECODE_H}&seed={seed}",
                    os.path.join(root, "smooth", f"{seed}.jpg")) for seed in range(DECODE_FILES)]
        for folder in ("img", "smooth", "page"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)

        def fetch(job):
            url, path = job
            with opener.open(url, timeout=60) as response, open(path, "wb") as out:
                out.write(response.read())

        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            list(pool.map(fetch, wanted))
    finally:
        children.stop(server)


def write_page(root, scenario, urls):
    """The page Chromium opens: the scenario's URLs as <img> tags, as big as Tessera's tiles."""
    path = f"page/{scenario.name.lower()}.html"
    with open(os.path.join(root, path), "w") as page:
        page.write("<!doctype html><meta charset=utf-8><title>Tessera benchmark</title>\n")
        for url in urls:
            src = url.split("/", 3)[3].replace("&", "&amp;")
            page.write(f'<img src="/{src}" width=180 height=180 alt="">\n')
    return path


def count_files(folder):
    return sum(1 for entry in os.scandir(folder) if entry.is_file() and entry.stat().st_size > 0)


class Peers:
    """The peer rows of one scenario, on the server of that scenario."""

    def __init__(self, children, server, scenario, urls, tmp, tls):
        self.children, self.server, self.scenario = children, server, scenario
        self.urls, self.tmp, self.tls = urls, tmp, tls
        self.timeout_s = max(PEER_TIMEOUT_MIN_S, PEER_TIMEOUT_FACTOR * scenario.bound_ms() / 1000)

    def _files(self, tag, urls):
        folder = os.path.join(self.tmp, f"{self.scenario.name}-{tag}")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "out"))
        list_path = os.path.join(folder, "urls.txt")
        with open(list_path, "w") as out:
            out.write("\n".join(urls) + "\n")
        return folder, list_path

    def _run(self, run, tag, argv, urls, list_on_stdin=False):
        """Runs one client to the end and notes what the server saw and what it saved."""
        folder, list_path = self._files(tag, urls)
        self.server.reset()
        with open(os.path.join(folder, "log"), "wb") as log, \
                open(list_path if list_on_stdin else os.devnull, "rb") as stdin:
            proc = self.children.start(argv(folder), stdin=stdin, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=folder, env=client_env())
            try:
                status, _, timed_out = wait_for_exit(proc, self.timeout_s)
            finally:
                self.children.stop(proc)
        self.server.note(run)
        run.exit_status = "timed out" if timed_out else str(status)
        run.loaded = count_files(os.path.join(folder, "out"))
        run.failed = len(urls) - run.loaded
        if timed_out or status != 0:
            run.error = f"exit status {run.exit_status}"
        return run

    def _missing(self, client, tool):
        run = Run(self.scenario, client)
        run.skipped = f"{tool} is not installed"
        return run

    def sequential(self):
        """The classic script, on a sample when the list is long; the time scaled to the list."""
        urls = self.urls[:SEQUENTIAL_SAMPLE]
        run = Run(self.scenario, "shell loop, one `curl` a URL")
        tls = ["--cacert", self.tls.ca] if self.tls else []
        script = ('i=0; while IFS= read -r url; do i=$((i+1)); '
                  'curl -q -sSf --noproxy "*" "$@" -o "out/$i.jpg" "$url" || exit 1; done')
        self._run(run, "sequential", lambda folder: ["bash", "-c", script, "sequential", *tls], urls,
                  list_on_stdin=True)
        if len(urls) < len(self.urls) and run.server_ms is not None:
            scale = len(self.urls) / len(urls)
            run.server_ms *= scale
            run.estimate = f"the first {len(urls):,} of {len(self.urls):,}, time × {scale:g}"
        return run

    def curl_parallel(self, parallel=JOBS):
        http2 = ["--http2", "--cacert", self.tls.ca] if self.tls else []
        name = f"`curl --parallel --parallel-max {parallel}{' --http2' if self.tls else ''}`"
        run = Run(self.scenario, name)

        def argv(folder):
            with open(os.path.join(folder, "curl.cfg"), "w") as cfg:
                for i, url in enumerate(self.urls):
                    cfg.write(f'url = "{url}"\noutput = "out/{i}.jpg"\n')
            return ["curl", "-q", "-sSf", "--noproxy", "*", "--parallel", "--parallel-max", str(parallel), *http2,
                    "-K", "curl.cfg"]

        return self._run(run, f"curl-{parallel}", argv, self.urls)

    def aria2c(self):
        name = f"`aria2c -j {JOBS}` (HTTP/1.1 only)" if self.tls else f"`aria2c -j {JOBS}`"
        if shutil.which("aria2c") is None:
            return self._missing(name, "aria2c")
        tls = [f"--ca-certificate={self.tls.ca}"] if self.tls else []
        argv = ["aria2c", "--no-conf", "-q", f"-j{JOBS}", "-x1", "-s1", "--max-tries=1", "--file-allocation=none",
                "--allow-overwrite=true", "--auto-file-renaming=false", "-d", "out", "-i", "urls.txt", *tls]
        return self._run(Run(self.scenario, name), "aria2c", lambda folder: argv, self.urls)

    def wget2(self):
        name = f"`wget2 --max-threads={JOBS}`"
        if shutil.which("wget2") is None:
            return self._missing(name, "wget2")
        tls = [f"--ca-certificate={self.tls.ca}", "--http2"] if self.tls else []
        argv = ["wget2", "--no-config", "-q", f"--max-threads={JOBS}", "--tries=1", "-nd", "-P", "out", "-i",
                "urls.txt", *tls]
        return self._run(Run(self.scenario, name), "wget2", lambda folder: argv, self.urls)

    def chromium(self, page):
        """Headless Chromium on the page of <img> tags, stopped once the server has sent every
        picture (the server's clock is the measure, so its start-up and exit do not count)."""
        run = Run(self.scenario, "Chromium (`chromium --headless`)")
        if shutil.which("chromium") is None:
            return self._missing(run.client, "chromium")
        folder, _ = self._files("chromium", self.urls)
        argv = ["chromium", "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", f"--window-size={CHROMIUM_WINDOW}", f"--user-data-dir={folder}/profile"]
        if os.geteuid() == 0:
            argv.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
        if self.tls:
            # Trusts this one server key, and verifies every other certificate as usual.
            argv.append(f"--ignore-certificate-errors-spki-list={self.tls.spki}")
        argv.append(f"{self.server.base}/{page}")
        self.server.reset()
        deadline = time.monotonic() + self.timeout_s
        with open(os.path.join(folder, "log"), "wb") as log:
            proc = self.children.start(argv, group=True, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, cwd=folder, env=client_env())
            try:
                while (self.server.stats()["image_responses"] < len(self.urls) and proc.poll() is None
                       and time.monotonic() < deadline):
                    time.sleep(0.1)
                run.exit_status = "timed out" if time.monotonic() >= deadline else "stopped when done"
            finally:
                self.children.stop(proc)
        stats = self.server.note(run)
        run.loaded = stats["image_responses"]
        run.failed = len(self.urls) - run.loaded
        if run.failed:
            run.error = f"{run.exit_status}, {run.loaded:,} of {len(self.urls):,} pictures sent"
        return run

    def all(self, page):
        runs = [self.sequential(), self.curl_parallel()]
        if self.tls:
            runs.append(self.curl_parallel(H2_PARALLEL))
        runs += [self.aria2c(), self.wget2(), self.chromium(page)]
        return runs


def _script_digest():
    with open(PHOTOS_SCRIPT, "rb") as script:
        return hashlib.sha256(script.read()).hexdigest()


def make_photos(children, folder, log):
    """The photos of the decode rows in @folder, drawn again only when their maker has changed
    since (it takes most of a minute); the folder, or None and why when they cannot be drawn."""
    stamp_path = os.path.join(folder, "made-by")
    digest = _script_digest()
    try:
        with open(stamp_path) as stamp:
            if stamp.read().strip() == digest:
                return folder
    except OSError:
        pass
    shutil.rmtree(folder, ignore_errors=True)
    proc = children.start([PHOTOS_PYTHON, PHOTOS_SCRIPT, folder], stdout=log, stderr=subprocess.STDOUT)
    try:
        status, _, timed_out = wait_for_exit(proc, PHOTOS_TIMEOUT_S)
    finally:
        children.stop(proc)
    if timed_out or status != 0:
        raise RuntimeError(f"drawing the photos failed (exit status {status}; are python3-numpy and "
                           f"python3-pil installed?), see {log.name}")
    with open(stamp_path, "w") as stamp:
        stamp.write(digest + "\n")
    return folder


@dataclass
class Pictures:
    """One pair of decode rows: the files both tools decode, a name for their folders and what
    the table calls them."""
    name: str
    label: str
    files: list

    def mean_mb(self):
        return sum(os.path.getsize(f) for f in self.files) / len(self.files) / 1e6


def decode_pictures(name, label, folder):
    files = sorted(glob.glob(os.path.join(folder, "*.jpg")))
    if not files:
        raise RuntimeError(f"no {label} to decode in {folder}")
    return Pictures(name, label, files)


def _cpu_s(usage):
    return usage.ru_utime + usage.ru_stime


def _decode_figures(run, n, cpu_s, wall_s, failed):
    run.thumbs, run.loaded, run.failed, run.wall_s = n, n - failed, failed, wall_s
    run.cpu_ms_per_thumb = cpu_s * 1000 / n
    if failed:
        run.error = f"{failed} of {n} not decoded"
    return run


def decode_vips(children, scenario, pictures, tmp, tile_px):
    """vipsthumbnail, one process a core (VIPS_CONCURRENCY=1) over a share of the files each."""
    run = Run(scenario, f"`vipsthumbnail -s {tile_px}x{tile_px} --smartcrop=centre`, one a core",
              pictures=pictures)
    if shutil.which("vipsthumbnail") is None:
        run.skipped = "vipsthumbnail is not installed"
        return run
    jobs = pictures.files * DECODE_ROUNDS
    cores = os.cpu_count()
    started = time.monotonic()
    procs = []
    for core in range(cores):
        out = os.path.join(tmp, f"vips-{pictures.name}-{core}")
        os.makedirs(out, exist_ok=True)
        argv = ["vipsthumbnail", "-s", f"{tile_px}x{tile_px}", "--smartcrop=centre", "-o", f"{out}/%s.jpg",
                *jobs[core::cores]]
        procs.append(children.start(argv, env=client_env({"VIPS_CONCURRENCY": "1"}), stdout=subprocess.DEVNULL))
    cpu_s, failed = 0.0, 0
    for core, proc in enumerate(procs):
        status, usage, timed_out = wait_for_exit(proc, scenario.timeout_s)
        children.stop(proc)
        cpu_s += _cpu_s(usage)
        failed += len(jobs[core::cores]) if status != 0 or timed_out else 0
    return _decode_figures(run, len(jobs), cpu_s, time.monotonic() - started, failed)


def decode_tessera(children, scenario, build, pictures, tile_px):
    """The engine's decode path (tessera_image_decode_tile) on one thread a core."""
    cores = os.cpu_count()
    run = Run(scenario, f"Tessera's decode path (`tessera-bench-decode`, {cores} threads)", pictures=pictures)
    argv = [os.path.join(build, "bench/tessera-bench-decode"), f"--threads={cores}", f"--tile={tile_px}",
            f"--rounds={DECODE_ROUNDS}", *pictures.files]
    started = time.monotonic()
    proc = children.start(argv, stdout=subprocess.PIPE, env=client_env())
    status, usage, timed_out = wait_for_exit(proc, scenario.timeout_s)
    out = proc.stdout.read().decode().split()
    children.stop(proc)
    n = len(pictures.files) * DECODE_ROUNDS
    failed = n if timed_out or len(out) < 4 else n - int(out[1])
    return _decode_figures(run, n, _cpu_s(usage), time.monotonic() - started, failed)
