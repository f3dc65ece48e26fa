"""The `hoshin` command as people run it: a subprocess with only environment variables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender
from tests.e2e.conftest import visible

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bot" / "examples" / "acme-2027.yaml"
SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
)


def hoshin(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60, **kw):
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def test_run_names_the_missing_setting_in_one_line(tmp_path):
    result = hoshin("run", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Error: SLACK_BOT_TOKEN is not set: add it to the environment or to .env"
    )


def test_socket_mode_without_app_token_says_so(tmp_path):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s3cr3t",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = hoshin("run", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "SLACK_APP_TOKEN is not set" in result.stderr and "--http" in result.stderr


def test_placeholders_from_env_example_do_not_start_the_bot(tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    result = hoshin("run", "--http", env={}, cwd=tmp_path)
    assert result.returncode != 0
    assert "SLACK_BOT_TOKEN is still the placeholder" in result.stderr


def test_plan_import_export_round_trip_and_idempotence(tmp_path, database_url):
    env = {"DATABASE_URL": database_url}
    first = hoshin("plan", "import", str(EXAMPLE), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "objectives: 33 created" in first.stdout
    again = hoshin("plan", "import", str(EXAMPLE), env=env, cwd=tmp_path)
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    out = tmp_path / "export.yaml"
    assert hoshin("plan", "export", str(out), env=env, cwd=tmp_path).returncode == 0
    exported, original = yaml.safe_load(out.read_text()), yaml.safe_load(EXAMPLE.read_text())
    assert [b["ref"] for b in exported["breakthroughs"]] == [
        b["ref"] for b in original["breakthroughs"]
    ]
    assert len(exported["people"]) == len(original["people"])


def test_a_bad_plan_lists_every_problem_and_changes_nothing(tmp_path, database_url):
    env = {"DATABASE_URL": database_url}
    assert hoshin("plan", "import", str(EXAMPLE), env=env, cwd=tmp_path).returncode == 0
    before = hoshin("plan", "export", env=env, cwd=tmp_path).stdout
    plan = yaml.safe_load(EXAMPLE.read_text())
    annual = plan["breakthroughs"][0]["annual"]
    annual[0]["title"] = "Changed title that must not land"
    annual[1]["metric"]["target"] = "fourteen"
    annual[1]["owner"] = "U0NOBODY"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(plan, sort_keys=False))
    result = hoshin("plan", "import", str(bad), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "nothing was imported" in result.stderr
    assert "breakthroughs[0].annual[1].metric.target: not a number" in result.stderr
    assert "breakthroughs[0].annual[1].owner" in result.stderr and "U0NOBODY" in result.stderr
    assert hoshin("plan", "export", env=env, cwd=tmp_path).stdout == before


def _at_most_1_gb() -> None:
    # Today's loader grew to 6 GB on the alias bomb; bound it so the failing run ends quickly.
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


def test_a_yaml_alias_bomb_is_refused_in_one_line_and_changes_nothing(tmp_path):
    from tests.plan.test_plan_limits import bomb

    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    assert hoshin("plan", "import", str(EXAMPLE), env=env, cwd=tmp_path).returncode == 0
    before = hoshin("plan", "export", env=env, cwd=tmp_path).stdout
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(10, 10))  # 10^10 objectives once its aliases are expanded
    assert path.stat().st_size < 3000
    result = hoshin("plan", "import", str(path), env=env, cwd=tmp_path, preexec_fn=_at_most_1_gb)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    head, problem = result.stderr.strip().splitlines()
    assert head == f"{path}: 1 problem(s); nothing was imported."
    assert "aliases" in problem and "10,000" in problem
    assert hoshin("plan", "export", env=env, cwd=tmp_path).stdout == before


def test_a_plan_file_over_the_size_limit_is_refused_in_one_line(tmp_path):
    from tests.plan.test_plan_limits import MAX_BYTES, padded

    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    path = tmp_path / "big.yaml"
    path.write_text(padded(MAX_BYTES + 1))
    result = hoshin("plan", "import", str(path), env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        f"{path}: 1 problem(s); nothing was imported.",
        "  (file): is 16,000,001 bytes; a plan file may be at most 16 MB (16,000,000 bytes): "
        "split the plan into several files",
    ]


def test_run_http_serves_signed_requests_and_health(tmp_path):
    database_url = f"sqlite:///{tmp_path}/hoshin.db"
    assert (
        hoshin(
            "plan", "import", str(EXAMPLE), env={"DATABASE_URL": database_url}, cwd=tmp_path
        ).returncode
        == 0
    )
    with SlackStandIn(team_id="T0ACME", bot_token="xoxb-cli-test") as standin:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-cli-test",
            "SLACK_SIGNING_SECRET": "cli-secret",
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database_url,
        }
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={**clean, "PYTHONPATH": str(ROOT), **env},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert process.poll() is None, process.stderr.read()
                    if time.monotonic() > deadline:
                        pytest.fail("hoshin run --http did not become healthy")
                    time.sleep(0.1)
            sender = SlackSender(
                url, signing_secret="cli-secret", standin=standin, team_id="T0ACME"
            )
            delivery = sender.slash_command(user_id="U0DANA01", text="status AN1")
            assert delivery.status == 200
            assert standin.wait_for(lambda s: s.response_posts(delivery.response_url), timeout=15)
            assert "Grow ARR" in visible(standin.response_posts(delivery.response_url)[0])
            assert sender.post("x=1", signature="v0=bad").status == 401
        finally:
            process.terminate()
            process.wait(timeout=15)
        # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (as servers should).
        assert process.returncode in (0, -signal.SIGTERM)
        log = process.stderr.read()
        assert "Traceback" not in log
        assert "xoxb-cli-test" not in log and "cli-secret" not in log


def test_demo_writes_a_readable_transcript(tmp_path):
    result = hoshin("demo", "--out", str(tmp_path / "out"), env={}, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    transcript = (tmp_path / "out" / "transcript.md").read_text()
    assert "Transcript written to" in result.stdout
    for name in ("bowling-chart-2027.png", "reflection-2027.html"):  # where the files are
        assert str(tmp_path / "out" / name) in result.stdout
        assert (tmp_path / "out" / name).stat().st_size > 1000
    for expected in (
        "/hoshin help",
        "Hoshin status · FY2027",
        "AN1 · Grow ARR",
        "Share in channel",
        "Ana Ferreira's objectives",
        "Did you mean",
    ):
        assert expected in transcript
    assert "⚠️ Something went wrong" not in transcript and "Traceback" not in transcript
    assert (tmp_path / "out" / "plan-export.yaml").exists()
