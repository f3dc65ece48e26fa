"""`hoshin report`: the CSV and Markdown match the database; the HTML embeds a real chart."""

from __future__ import annotations

import base64
import csv
import io
import re

import matplotlib.image
from click.testing import CliRunner
from sqlmodel import select

from bot.cli import main
from bot.reflection.chart import size
from storage.models import CheckIn, Objective
from tests import factories as f
from tests.reflection.plans import TEAM, year_plan


def run_report(database_url: str, tmp_path, fmt: str):
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(
        main,
        ["report", "--year", "2027", "--format", fmt, "--out", str(out), "--as-of", "2028-01-05"],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), result.output


def test_the_csv_has_one_row_per_objective_matching_the_stored_check_ins(
    session, database_url, tmp_path
):
    year_plan(session)
    session.commit()
    text, said = run_report(database_url, tmp_path, "csv")
    assert "written to" in said
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ref"] for r in rows] == ["AN1", "AN1.1", "AN4", "AN2", "AN3"]
    objectives = {o.id: o for o in session.exec(select(Objective))}
    stored: dict[str, dict[str, float | None]] = {}
    for c in session.exec(select(CheckIn)):
        stored.setdefault(objectives[c.objective_id].ref, {})[c.period] = c.actual
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    for row in rows:
        for period in months:
            actual = stored.get(row["ref"], {}).get(period)
            assert row[period] == ("" if actual is None else f"{actual:g}"), (row["ref"], period)
        latest = [stored[row["ref"]][p] for p in months if stored[row["ref"]].get(p) is not None]
        assert float(row["final_actual"]) == latest[-1]
    by = {r["ref"]: r for r in rows}
    assert (by["AN1"]["hit"], by["AN2"]["hit"]) == ("yes", "no")
    assert by["AN1"]["target"] == "14" and by["AN2"]["baseline"] == "8"
    assert by["AN3"]["owner"] == "Lee (has left)"
    assert by["AN1"]["green_months"] == "10" and by["AN1"]["response_rate"] == "1.000"
    assert by["AN3"]["response_rate"] == "0.429"  # 3 of the 7 months since June


def test_the_markdown_reads_as_the_reflection(session, database_url, tmp_path):
    year_plan(session)
    session.commit()
    text, _ = run_report(database_url, tmp_path, "markdown")
    assert text.startswith("# ") and "FY2027 · Acme" in text
    assert "| AN1 | Grow ARR to 14 M$ | Ana | 14 M$ | 14.2 M$ | hit | 12 of 12" not in text
    assert "| AN1 | Grow ARR to 14 M$ | Ana | 14 M$ | 14.2 M$ | hit | 10 of 12 | 100 % |" in text
    assert "| AN2 | Cut churn to 5% | Ana | 5% | 7.1% | missed | 0 of 12 | 100 % |" in text
    assert "> **What carries into next year:** Keep the onboarding team; target 6 %." in text
    assert "## Carry-overs for FY2028" in text
    assert "- **AN2** Cut churn to 5% — missed: 7.1% of 5%" in text


def test_the_html_is_self_contained_escaped_and_embeds_a_decodable_png(
    session, database_url, tmp_path
):
    plan = year_plan(session)
    an1 = session.get(Objective, plan.ids["AN1"])
    an1.title = "Grow ARR <script>alert(1)</script>"
    session.add(an1)
    session.commit()
    text, _ = run_report(database_url, tmp_path, "html")
    assert "<script>" not in text and "&lt;script&gt;" in text
    [data] = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    png = base64.b64decode(data)
    width, height = size(png)
    assert matplotlib.image.imread(io.BytesIO(png), format="png").shape[:2] == (height, width)
    assert "http" not in text.replace("lang=", "")  # nothing fetched from elsewhere


def test_an_unknown_team_is_a_clear_error(session, database_url, tmp_path):
    f.workspace(session, TEAM)
    session.commit()
    result = CliRunner().invoke(
        main,
        ["report", "--year", "2027", "--format", "csv", "--team", "T0NOPE"],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code != 0 and "No workspace T0NOPE" in result.output


def test_numbers_stored_before_the_bound_are_reported_short_and_exact(
    session, database_url, tmp_path
):
    plan = year_plan(session)
    an1 = session.get(Objective, plan.ids["AN1"])
    an1.target, an1.baseline = 1e308, -1e300
    session.add(an1)
    for check_in in session.exec(select(CheckIn).where(CheckIn.objective_id == an1.id)):
        check_in.actual = 1e308
        session.add(check_in)
    session.commit()
    long_digits = re.compile(r"\d[\d,]{24,}")
    for fmt in ("markdown", "html"):
        text, _ = run_report(database_url, tmp_path, fmt)
        assert "1e+308" in text and not long_digits.search(text), long_digits.search(text)
    text, _ = run_report(database_url, tmp_path, "csv")
    by = {r["ref"]: r for r in csv.DictReader(io.StringIO(text))}
    assert float(by["AN1"]["target"]) == 1e308 and float(by["AN1"]["baseline"]) == -1e300
    assert all(len(by["AN1"][m]) <= 24 for m in by["AN1"] if m.startswith("2027-"))
