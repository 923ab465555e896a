"""Shared by the browser tests: Debian's Chromium (installed with apt when missing) and the app on a free port."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Chromium's own background traffic (component updates, sync, QUIC probes, lookups of Google's hosts) is refused
# or left hanging by a closed network; without these flags a page on 127.0.0.1 can stay blank.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def ensure_chromium() -> None:
    """Debian's chromium via apt when it is not installed yet (no browser download)."""
    if shutil.which("chromium") or os.path.exists(CHROMIUM):
        return
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class AppServer:
    url: str
    pid: int
    log: object  # the server's stdout and stderr, a temporary file

    def log_tail(self, chars: int = 3000) -> str:
        """The end of what the server printed, for whoever reads a failure."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-chars:].decode(errors="replace")

    def rss_mb(self) -> float:
        """The server's resident memory (MB), from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextlib.contextmanager
def running_app(env: dict | None = None, timeout_s: float = 90):
    """``streamlit run app/main.py`` on 127.0.0.1 at a free port; yields an ``AppServer`` once healthy."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    url = f"http://127.0.0.1:{port}"
    with _serving(cmd, url, f"{url}/_stcore/health", lambda body: body == b"ok", env, timeout_s) as server:
        yield server


@contextlib.contextmanager
def running_jupyterlab(notebook_dir: Path, timeout_s: float = 120):
    """JupyterLab on 127.0.0.1 at a free port over ``notebook_dir`` (a copy: JupyterLab autosaves what it runs),
    without a token, with a workspace of its own (no tabs restored from an earlier run), its app object exposed to
    the page (``window.jupyterapp``, so a test can run commands as the menus do); yields an ``AppServer``."""
    port = free_port()
    workspaces = tempfile.mkdtemp(prefix="poseviz-lab-workspaces-")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           "--expose-app-in-browser", "--allow-root", f"--ServerApp.root_dir={notebook_dir}",
           f"--LabApp.workspaces_dir={workspaces}"]
    url = f"http://127.0.0.1:{port}"
    with _serving(cmd, url, f"{url}/api/status", lambda body: b"started" in body, {}, timeout_s) as server:
        yield server


@contextlib.contextmanager
def _serving(cmd: list[str], url: str, health: str, healthy, env: dict | None, timeout_s: float):
    log = tempfile.TemporaryFile()  # a pipe nobody reads would fill and stall the server
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            try:
                if healthy(urllib.request.urlopen(health, timeout=2).read()):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            log.seek(0)
            raise RuntimeError(f"{cmd[2]} did not become healthy in {timeout_s:.0f} s: {log.read()[-2000:].decode(errors='replace')}")
        yield AppServer(url, proc.pid, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
