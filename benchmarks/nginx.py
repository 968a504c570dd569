"""Run deploy/nginx/notices.conf unprivileged from a folder: for tests and benchmarks.

``render`` substitutes the ``${NOTICES_NGINX_*}`` names of the deploy files (nginx's own
``$variables`` are left as they are) and writes them into a folder; ``running`` starts
Debian's nginx on them and stops it on leaving.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"


class NginxMissing(RuntimeError):
    """Debian's nginx is not installed (.ci/run installs it)."""


def binary() -> str:
    """The nginx executable (Debian's, in /usr/sbin, is often off a user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise NginxMissing("nginx is not installed (apt-get install nginx-light)")
    return found


def render(folder: Path, *, listen: str, upstream: str, workers: int = 1, extra: str = "") -> Path:
    """Write the deploy config, substituted, into ``folder``; return the main file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "NOTICES_NGINX_LISTEN": listen,
        "NOTICES_NGINX_UPSTREAM": upstream,
        "NOTICES_NGINX_CACHE": str(folder / "cache"),
        "NOTICES_NGINX_ACCESS_LOG": str(folder / "access.log"),
        "NOTICES_NGINX_WORKERS": str(workers),
    }
    for name in ("notices.conf", "standalone.conf"):
        text = Template((DEPLOY / name).read_text(encoding="utf-8")).safe_substitute(names)
        (folder / name).write_text(_as_owner(name, text), encoding="utf-8")
    (folder / "extra.conf").write_text(extra, encoding="utf-8")
    return folder / "standalone.conf"


def _as_owner(name: str, text: str) -> str:
    """Run root's workers as root: nginx's default, nobody, cannot enter a private folder."""
    if name != "standalone.conf" or os.geteuid() != 0:
        return text
    return f"user root;\n{text}"


@contextmanager
def running(
    config: Path, ports: list[int], seconds: float = 10.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Run nginx on ``config`` until the block ends, once ``ports`` accept connections."""
    folder = config.parent
    check = [binary(), "-p", str(folder), "-c", str(config), "-t", "-q"]
    subprocess.run(check, check=True, capture_output=True)
    server = subprocess.Popen([binary(), "-p", str(folder), "-c", str(config)])
    try:
        _wait(ports, seconds, server)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait(ports: list[int], seconds: float, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    for port in ports:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"nginx exited with {server.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not listen on {port}") from None
                time.sleep(0.05)
