"""deploy/ says one thing: the Dockerfile, compose file, systemd units, gunicorn's settings
and deploy/README.md name the same commands and the same settings, and each is real.

Where a Docker client with compose exists, ``docker compose config`` must accept the file;
without one the rest still holds it (no Docker runs in CI).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from notices import settings
from notices.cli import main

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
WEB = ["gunicorn", "-c", "gunicorn.conf.py", "service.app:create_app()"]
WORKER = ["notices", "worker"]
UPGRADE = ["notices", "db", "upgrade"]
# What every deployment sets; the other settings keep their defaults unless needed.
DEPLOYED = ("DATABASE_URL", "SOURCES", "IDENTIFIER_KEY", "BASE_URL", "TRUSTED_PROXIES",
            "LOG_FORMAT", "SCHEDULER_LEASE")  # fmt: skip
WEB_ONLY = ("WEB_BIND", "WEB_WORKERS", "METRICS_ALLOW")
_NAME = re.compile(r"\bNOTICES_[A-Z0-9_]+\b")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _command(argv: list[str]) -> list[str]:
    """A command with its programs' folders and the config file's folder left out."""
    return [Path(arg).name if arg.endswith(".conf.py") or n == 0 else arg
            for n, arg in enumerate(argv)]  # fmt: skip


def _unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's keys, each with every value it is given."""
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def _dockerfile_cmd() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, re.MULTILINE)
    parsed: list[str] = json.loads(cmd)
    return parsed


def _env_file() -> dict[str, str]:
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_every_file_runs_the_same_commands() -> None:
    services = _compose()["services"]
    assert _command(_dockerfile_cmd()) == WEB
    assert _command(services["web"]["command"]) == WEB
    assert services["worker"]["command"] == WORKER
    assert services["migrate"]["command"] == UPGRADE
    web, worker = _unit("notices-web.service"), _unit("notices-worker.service")
    assert [_command(shlex.split(c)) for c in web["ExecStart"]] == [WEB]
    assert [_command(shlex.split(c)) for c in worker["ExecStart"]] == [WORKER]
    for unit in (web, worker):
        assert [_command(shlex.split(c)) for c in unit["ExecStartPre"]] == [UPGRADE]
        assert unit["EnvironmentFile"] == ["/etc/notices/env"] and unit["User"] == ["notices"]
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for command in ("gunicorn -c deploy/gunicorn.conf.py 'service.app:create_app()'",
                    "notices worker", "notices db upgrade"):  # fmt: skip
        assert command in readme


def test_the_commands_exist() -> None:
    for args in (["worker", "--help"], ["db", "upgrade", "--help"], ["sources", "--help"]):
        assert CliRunner().invoke(main, args).exit_code == 0, args
    from service.app import create_app

    assert callable(create_app)
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY deploy/gunicorn.conf.py /etc/notices/gunicorn.conf.py" in text
    assert re.search(r"^USER notices$", text, re.MULTILINE) and "HEALTHCHECK" in text


def test_every_setting_named_is_a_setting() -> None:
    known = {s.variable for s in settings.SETTINGS}
    proxy = set(_NAME.findall((DEPLOY / "nginx" / "notices.conf").read_text(encoding="utf-8")))
    for name in ("Dockerfile", "compose.yaml", "env.example", "notices-web.service",
                 "notices-worker.service", "README.md", "gunicorn.conf.py"):  # fmt: skip
        named = set(_NAME.findall((DEPLOY / name).read_text(encoding="utf-8")))
        assert named - known - proxy == set(), name


def test_every_deployment_sets_the_same_settings() -> None:
    services = _compose()["services"]
    env_file = _env_file()
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for name in DEPLOYED + WEB_ONLY:
        variable = f"NOTICES_{name}"
        assert variable in services["web"]["environment"], variable
        assert variable in env_file, variable
        assert f"`{variable}`" in readme, variable
    for name in DEPLOYED:
        assert f"NOTICES_{name}" in services["worker"]["environment"]
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "NOTICES_WEB_BIND=0.0.0.0:8000" in docker
    assert services["web"]["environment"]["NOTICES_WEB_BIND"] == "0.0.0.0:8000"
    assert services["web"]["expose"] == ["8000"]
    # Each worker listens on a socket of its own: a reload must move, not reset, what a
    # retiring worker had queued, in the container and on a host alike.
    assert services["web"]["sysctls"] == {"net.ipv4.tcp_migrate_req": 1}
    assert "net.ipv4.tcp_migrate_req=1" in readme


def test_compose_gives_nginx_the_names_its_config_substitutes() -> None:
    template = (DEPLOY / "nginx" / "notices.conf").read_text(encoding="utf-8")
    substituted = set(re.findall(r"\$\{(NOTICES_NGINX_[A-Z_]+)\}", template))
    nginx = _compose()["services"]["nginx"]
    assert set(nginx["environment"]) == substituted
    assert nginx["environment"]["NOTICES_NGINX_UPSTREAM"] == "web:8000"
    assert any(v.startswith("./nginx/notices.conf:/etc/nginx/templates/") for v in nginx["volumes"])


def test_gunicorn_reads_its_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # not a folder of its own
    monkeypatch.setenv("NOTICES_WEB_WORKERS", "5")
    monkeypatch.setenv("NOTICES_WEB_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("NOTICES_LOG_FORMAT", "json")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["workers"] == 5 and config["bind"] == "0.0.0.0:9000"
    assert config["reuse_port"] is True
    monkeypatch.setenv("NOTICES_WEB_REUSE_PORT", "0")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["reuse_port"] is False
    assert config["logconfig_dict"]["formatters"]["json"]
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)


def _compose_client() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose` (Debian's), where either answers."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for client in candidates:
        if shutil.which(client[0]) is None:
            continue
        if subprocess.run([*client, "version"], capture_output=True).returncode == 0:
            return client
    return None


def test_docker_compose_accepts_the_file() -> None:
    """`docker compose config` where a client exists; the other tests hold without one."""
    client = _compose_client()
    if client is None:  # no Docker here (as in CI): the file is still YAML compose can read
        services = _compose()["services"]
        assert set(services) == {"db", "migrate", "web", "worker", "nginx"}
        return
    env = os.environ | {"POSTGRES_PASSWORD": "x", "NOTICES_IDENTIFIER_KEY": "y"}
    checked = subprocess.run([*client, "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
                             env=env, capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    unset = os.environ.copy()
    unset.pop("NOTICES_IDENTIFIER_KEY", None)
    refused = subprocess.run([*client, "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
                             env=unset | {"POSTGRES_PASSWORD": "x"}, capture_output=True,
                             text=True)  # fmt: skip
    assert refused.returncode != 0 and "NOTICES_IDENTIFIER_KEY" in refused.stderr


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def test_a_worker_gives_the_heap_its_answers_freed_back_every_few_hundred_requests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["_malloc_trim"] is not None  # glibc's, on the Linux the service runs on
    # answers built and freed: 80 MB of heap, every hundredth block kept alive (fragmented)
    blocks = [bytes(4096) + bytes([i % 256]) for i in range(20_000)]
    kept = blocks[::100]
    del blocks
    before = _rss_mb()
    for _ in range(config["_TRIM_EVERY"] - 1):
        config["post_request"](None, None, None, None)
    assert _rss_mb() > before - 8  # not asked yet
    config["post_request"](None, None, None, None)
    assert _rss_mb() < before - 30, "the freed heap stays the worker's"
    assert len(kept) == 200
