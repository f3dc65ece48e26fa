"""The import rules of the house hold on the project, and the check finds each kind of breach."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layering import (
    FEATURES,
    KERNEL_PACKAGES,
    broken_rules,
    builder_breaches,
    circles,
    edges,
    is_kernel,
    modules,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project_edges():
    return edges(ROOT)


def test_the_project_has_no_import_circles(project_edges) -> None:
    assert circles(project_edges) == []


def test_every_import_runs_the_documented_way(project_edges) -> None:
    assert broken_rules(project_edges) == []


def test_builders_import_models_never_rules(project_edges) -> None:
    assert builder_breaches(project_edges) == []


def test_every_feature_package_is_known() -> None:
    """A new package in bot/ has to take its place in the direction (or join the kernel)."""
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    kernel = {name.partition(".")[2] for name in KERNEL_PACKAGES}
    assert packages - kernel - {"demo", "standin"} == set(FEATURES)


def test_the_kernel_stays_small() -> None:
    kernel = [name for name in modules(ROOT, ("bot",)) if is_kernel(name)]
    directly_in_bot = [p for p in (ROOT / "bot").glob("*.py")]
    assert len(directly_in_bot) <= 25, sorted(p.name for p in directly_in_bot)
    assert "bot.blocks.common" in kernel and "bot.settings" in kernel and "bot.i18n" in kernel


def test_no_production_file_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules(ROOT).values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


# ---- the check itself catches what it is for ------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in {p.parent for p in tmp_path.rglob("*.py")}:
        while folder != tmp_path:
            (folder / "__init__.py").touch()
            folder = folder.parent
    return tmp_path


def test_a_planted_circle_is_found_even_behind_type_checking(tmp_path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/checkin/service.py": "from bot.checkin.blocks import checkin_modal\n",
            "bot/checkin/blocks.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from bot.checkin.service import Answer\n"
            ),
            "bot/ids.py": "",
        },
    )
    assert circles(edges(root)) == [["bot.checkin.blocks", "bot.checkin.service"]]


def test_a_circle_through_a_function_level_import_is_found(tmp_path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/review/threads.py": "from bot.review import blocks\n",
            "bot/review/blocks.py": "def f():\n    from bot.review import threads\n",
        },
    )
    assert circles(edges(root)) == [["bot.review.blocks", "bot.review.threads"]]


def test_the_stand_in_may_import_in_a_circle(tmp_path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/standin/server.py": "from bot.standin import httpd\n",
            "bot/standin/httpd.py": "from bot.standin import server\n",
        },
    )
    assert circles(edges(root)) == []


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"storage/a3.py": "from bot import periods\n", "bot/periods.py": ""}, "storage/"),
        ({"bot/home/service.py": "import handlers.home\n", "handlers/home.py": ""}, "root"),
        (
            {"bot/review/threads.py": "from schedules import jobs\n", "schedules/jobs.py": ""},
            "root",
        ),
        ({"handlers/demo.py": "from bot.demo import run\n", "bot/demo/run.py": ""}, "the CLI"),
        ({"bot/server.py": "from bot.standin import server\n", "bot/standin/server.py": ""}, "CLI"),
        (
            {"bot/blocks/common.py": "from bot.status import rules\n", "bot/status/rules.py": ""},
            "kernel",
        ),
        (
            {"bot/periods.py": "from bot.hansei import prompts\n", "bot/hansei/prompts.py": ""},
            "kernel",
        ),
        (
            {
                "bot/a3/service.py": "from bot.checkin import service\n",
                "bot/checkin/service.py": "",
            },
            "a3 comes before checkin",
        ),
    ],
)
def test_each_rule_catches_a_planted_breach(tmp_path, files, said) -> None:
    broken = broken_rules(edges(_tree(tmp_path, files)))
    assert len(broken) == 1 and said in broken[0], broken


@pytest.mark.parametrize(
    "files",
    [
        {
            "bot/status/blocks.py": "from bot.status.rules import Health\n",
            "bot/status/rules.py": "",
        },
        {
            "bot/objectives/checks_blocks.py": "from bot.objectives import checks\n",
            "bot/objectives/checks.py": "",
        },
        {
            "bot/reflection/blocks.py": "def f():\n    from bot.review.bowling import dots\n",
            "bot/review/bowling.py": "",
        },
        {
            "bot/home/blocks.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from bot.home.service import Home\n"
            ),
            "bot/home/service.py": "",
        },
    ],
)
def test_the_builder_rule_catches_a_planted_breach(tmp_path, files) -> None:
    broken = builder_breaches(edges(_tree(tmp_path, files)))
    assert len(broken) == 1 and "a builder imports models, never rules" in broken[0], broken


def test_what_the_builder_rule_allows_is_not_reported(tmp_path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/review/blocks.py": (
                "from bot.review.model import dots\n"
                "from bot.status.blocks import HEALTH_ICON\n"
                "from bot.status.model import Health\n"
                "from bot.blocks import common\n"
                "from bot import ids\n"
                "from storage.review import ReviewCheckIn\n"
            ),
            "bot/objectives/checks_blocks.py": "from bot.objectives.model import AlignmentIssue\n",
            "bot/objectives/model.py": "",
            "bot/review/model.py": "",
            "bot/status/blocks.py": "",
            "bot/status/model.py": "",
            "bot/blocks/common.py": "",
            "bot/ids.py": "",
            "storage/review.py": "",
            "bot/review/threads.py": "from bot.review.plan import ReviewPlan\n",
            "bot/review/plan.py": "",
        },
    )
    assert builder_breaches(edges(root)) == []


def test_what_the_rules_allow_is_not_reported(tmp_path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/checkin/service.py": "from bot.a3 import model\nfrom bot import ids\n",
            "bot/a3/model.py": "",
            "bot/ids.py": "",
            "bot/app.py": "import handlers\nfrom schedules import jobs\n",
            "bot/cli.py": "from bot.demo import run\n",
            "bot/demo/run.py": "from bot.standin import server\nfrom schedules import jobs\n",
            "bot/standin/server.py": "",
            "handlers/__init__.py": "from bot.checkin import service\n",
            "schedules/jobs.py": "from storage import db\n",
            "storage/db.py": "",
        },
    )
    assert broken_rules(edges(root)) == []
