"""`regkb serve` starts a real HTTP server, prints its URL and serves the app."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_regkb_serve(corpus_dir, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "regkb.cli", "serve", "--data-dir", str(corpus_dir), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = requests.get(url + "/documents/celex-32024L1760-en", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert resp.status_code == 200 and "Article 8" in resp.text
        assert resp.headers["X-Frame-Options"] == "DENY"
        # the URL is printed once a worker is warm, which may be just after the first answer
        while f"http://127.0.0.1:{port}/" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert f"http://127.0.0.1:{port}/" in log.read_text()


def test_regkb_serve_reports_a_busy_port(corpus_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "regkb.cli", "serve", "--data-dir", str(corpus_dir), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 1 and "Choose another --port" in done.stderr
