"""Importing and exporting plan files on SQLite and PostgreSQL: all-or-nothing and idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session, SQLModel

from bot.errors import HoshinError, NotFound
from bot.plan.file import PlanFileError, parse_plan
from bot.plan.store import export_plan, import_plan, render_plan
from storage import plans
from storage.models import ActionItem, AuditEntry, Objective, Person, Workspace
from storage.plans import PlanRows

EXAMPLE_TEXT = (Path(__file__).parents[2] / "bot" / "examples" / "acme-2027.yaml").read_text()


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that nothing at all changed."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(table.select().order_by(text("1")))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()[0]


def edited(**changes) -> str:
    """The example with some of its objectives' fields changed, by ref."""
    data = yaml.safe_load(EXAMPLE_TEXT)
    todo = list(data["breakthroughs"])
    while todo:
        obj = todo.pop()
        obj.update(changes.get(obj["ref"].replace(".", "_"), {}))
        todo += obj.get("annual", []) + obj.get("children", [])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_the_example_imports_whole(engine):
    report = import_plan(engine, EXAMPLE_TEXT, actor="U0MARK02")
    assert report.workspace_created and report.changed
    assert (report.people.created, report.objectives.created, report.actions.created) == (
        27,
        33,
        13,
    )
    with Session(engine) as session:
        workspace = session.exec(select(Workspace)).one()[0]
        assert (workspace.team_id, workspace.review_channel) == ("T0ACME", "C0HOSHIN")
        assert (workspace.leadership_channel, workspace.timezone) == ("C0LEADERS", "Europe/Berlin")
        assert (workspace.checkin_business_day, workspace.checkin_time) == (3, "09:30")
        assert len(workspace.values) == 5 and workspace.vision.startswith("Every mid-market")
        people = {p.slack_user_id: p for (p,) in session.exec(select(Person))}
        assert people["U0PAUL12"].manager_id == people["U0TOMB11"].id
        assert people["U0DANA01"].manager_id is None and people["U0DANA01"].is_admin
        assert people["U0AIKO17"].timezone == "Asia/Tokyo"
        objectives = {o.ref: o for (o,) in session.exec(select(Objective))}
        leaf = objectives["AN1.1.1.1"]
        assert (leaf.level, leaf.year, leaf.owner_id) == ("cascaded", 2027, people["U0PAUL12"].id)
        chain = [leaf.ref]
        while objectives[chain[-1]].parent_id:
            parent_id = objectives[chain[-1]].parent_id
            chain.append(next(o.ref for o in objectives.values() if o.id == parent_id))
        assert chain == ["AN1.1.1.1", "AN1.1.1", "AN1.1", "AN1", "BT1"]
        assert (objectives["BT1"].start_year, objectives["BT1"].end_year) == (2027, 2029)
        assert objectives["AN1"].monthly_plan[0] == 38.8 and objectives["AN1"].target == 52
        assert objectives["AN5"].higher_is_better is False
        assert objectives["AN1.2"].position == 1 and objectives["AN1.1"].position == 0
        (audit,) = session.exec(select(AuditEntry)).all()
        assert (audit[0].actor, audit[0].action) == ("U0MARK02", "plan.import")
        assert audit[0].after["objectives"]["created"] == 33  # one summary, not one row per row


def test_importing_the_same_file_again_changes_nothing(engine):
    import_plan(engine, EXAMPLE_TEXT)
    before = snapshot(engine)
    with Session(engine) as session:
        stamps = {o.ref: o.updated_at for (o,) in session.exec(select(Objective))}
    report = import_plan(engine, EXAMPLE_TEXT)
    assert not report.changed and report.audit_entry_id is None
    with Session(engine) as session:
        assert {o.ref: o.updated_at for (o,) in session.exec(select(Objective))} == stamps
    assert (report.people.unchanged, report.objectives.unchanged, report.actions.unchanged) == (
        27,
        33,
        13,
    )
    assert report.people.updated == report.objectives.updated == report.actions.updated == 0
    assert "Nothing changed" in report.lines()[0]
    # Same rows, same updated_at, no new audit entry.
    assert snapshot(engine) == before


def test_a_changed_value_updates_only_its_row(engine):
    import_plan(engine, EXAMPLE_TEXT)
    before = snapshot(engine)
    report = import_plan(engine, edited(AN1_2={"title": "Win €6M new-business ARR in NA"}))
    assert (report.objectives.updated, report.objectives.unchanged) == (1, 32)
    after = snapshot(engine)
    changed = [row for row in after["objective"] if row not in before["objective"]]
    assert len(changed) == 1 and "Win €6M new-business ARR in NA" in changed[0]
    assert len(after["audit_entry"]) == len(before["audit_entry"]) + 1


def test_a_bad_file_leaves_the_database_exactly_as_it_was(engine):
    import_plan(engine, EXAMPLE_TEXT)
    before = snapshot(engine)
    bad = edited(AN1={"title": "Renamed"}, AN1_1={"owner": "U0NOBODY"}, AN2={"year": 2031})
    with pytest.raises(PlanFileError) as caught:
        import_plan(engine, bad)
    assert [p.place for p in caught.value.details] == [
        "breakthroughs[0].annual[0].children[0].owner",
        "breakthroughs[0].annual[1].year",
    ]
    assert snapshot(engine) == before


def test_a_failure_half_way_rolls_back_everything(engine, monkeypatch):
    import_plan(engine, EXAMPLE_TEXT)
    before = snapshot(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(plans, "upsert_actions", broken)  # people and objectives already written
    with pytest.raises(RuntimeError):
        import_plan(engine, edited(AN1={"title": "Renamed"}).replace("Dana Whitfield", "Dana W."))
    assert snapshot(engine) == before


def test_rows_not_in_the_file_are_left_alone_and_reported(engine):
    import_plan(engine, EXAMPLE_TEXT)
    data = yaml.safe_load(EXAMPLE_TEXT)
    del data["breakthroughs"][2]  # BT3 with its whole tree
    data["people"] = [p for p in data["people"] if p["id"] != "U0EMMA27"]
    del data["settings"]  # settings left out keep their values
    report = import_plan(engine, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert not report.changed
    assert report.people_not_in_file == ["U0EMMA27"]
    assert "BT3" in report.objectives_not_in_file and "AN9.1" in report.objectives_not_in_file
    assert report.actions_not_in_file == 5
    assert any("left as they are" in line for line in report.lines())
    with Session(engine) as session:
        assert count(session, Objective) == 33 and count(session, Person) == 27
        assert count(session, ActionItem) == 13
        assert session.exec(select(Workspace)).one()[0].review_channel == "C0HOSHIN"


def test_export_gives_back_the_imported_plan(engine):
    import_plan(engine, EXAMPLE_TEXT)
    exported = export_plan(engine)
    assert parse_plan(exported) == parse_plan(EXAMPLE_TEXT)
    assert list(yaml.safe_load(exported))[:6] == [
        "workspace",
        "settings",
        "vision",
        "values",
        "people",
        "breakthroughs",
    ]
    assert "monthly_plan: [38.8, 39.8, 40.8, 42, 43.1," in exported  # as written, no 40.80000001
    assert "99.91" in exported and "99.9100" not in exported
    assert export_plan(engine, team_id="T0ACME") == exported
    before = snapshot(engine)
    assert not import_plan(engine, exported).changed
    assert snapshot(engine) == before


def test_export_needs_to_know_which_workspace(engine):
    with pytest.raises(NotFound, match="no workspace in the database yet"):
        export_plan(engine)
    import_plan(engine, EXAMPLE_TEXT)
    import_plan(engine, EXAMPLE_TEXT.replace("workspace: T0ACME", "workspace: T0OTHER"))
    with pytest.raises(HoshinError, match=r"2 workspaces in the database \(T0ACME, T0OTHER\)") as e:
        export_plan(engine)
    assert "team id" in e.value.message
    with pytest.raises(NotFound, match="T0NONE"):
        export_plan(engine, team_id="T0NONE")
    assert export_plan(engine, team_id="T0OTHER").count("workspace: T0OTHER") == 1


AWKWARD = [
    "- starts like a list item",
    "key: value, inside",
    "# not a comment",
    "a title #with a hash",
    "ends with a colon:",
    "it's \"quoted\" both 'ways'",
    "Umsatz über 5 M€ — 日本語で",
    "Ship it 🚀",
    "12",
    "3.50",
    "1e3",
    "0x1F",
    "yes",
    "true",
    "No",
    "null",
    "~",
    "2027-03-31",
    "10:30",
    "&anchor *alias !tag %directive @at `tick` | > ? [a] {b}",
    "  padded with spaces  ",
]
DESCRIPTION = "Why this matters:\n\n  - churn costs us: €2M\n# not a comment\nLast line, no newline"


def test_export_writes_awkward_text_back_exactly(engine):
    data = {
        "workspace": "T0AWKWARD",
        "vision": "One line\nand another\n",
        "values": AWKWARD[:20],  # a plan holds at most 20 values, as the vision modal does
        "people": [
            {"id": "U0A", "name": "Zoë 🚀 O'Brien"},
            {"id": "U0B", "name": "null", "manager": "U0A"},
        ],
        "breakthroughs": [
            {
                "ref": "BT1",
                "title": "- 2027: the year #1",
                "years": [2027, 2029],
                "owner": "U0A",
                "description": DESCRIPTION,
                "annual": [
                    {
                        "ref": f"AN{i}",
                        "year": 2027,
                        "title": title,
                        "owner": "U0B",
                        "metric": {"name": title, "unit": "yes", "target": 14.0},
                        "actions": [{"title": title, "due": "2027-03-31"}],
                    }
                    for i, title in enumerate(AWKWARD)
                ],
            }
        ],
    }
    original = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    import_plan(engine, original)
    exported = export_plan(engine)
    assert parse_plan(exported) == parse_plan(original)
    # Readable as written: text on several lines as a | block, unicode as itself, 14 not 14.0.
    assert "  description: |-\n    Why this matters:\n\n      - churn costs us: €2M\n" in exported
    assert "vision: |\n  One line\n  and another\n" in exported
    assert "- Umsatz über 5 M€ — 日本語で\n" in exported
    assert "- '- starts like a list item'\n" in exported and "- '2027-03-31'\n" in exported
    assert "target: 14," in exported
    assert not import_plan(engine, exported).changed


# --- export of any text, without a database -----------------------------------------------------

any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    str.strip
)
# Every number a plan may hold (bot/numbers.py): whole numbers up to the bound, and decimals of
# at most 6 places and 15 significant digits.
number = st.integers(-(10**15) + 1, 10**15 - 1).map(float) | st.decimals(
    min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False
).map(float)


@settings(max_examples=80, deadline=None)
@given(
    title=any_text,
    name=any_text,
    unit=any_text.filter(lambda t: len(t) <= 20),  # the Unit field holds 20 characters
    vision=st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000),
    baseline=number,
    plan=st.lists(number, min_size=12, max_size=12),
)
def test_export_writes_any_text_and_number_back_exactly(title, name, unit, vision, baseline, plan):
    rows = PlanRows(
        Workspace(id=1, team_id="T0X", vision=vision or None, values=[title, name]),
        [Person(id=1, workspace_id=1, slack_user_id="U0A", name=name)],
        [
            Objective(
                id=1,
                workspace_id=1,
                ref="BT1",
                level="breakthrough",
                title=title,
                owner_id=1,
                start_year=2027,
                end_year=2029,
                description=vision or None,
            ),
            Objective(
                id=2,
                workspace_id=1,
                ref="AN1",
                level="annual",
                parent_id=1,
                year=2027,
                title=title,
                owner_id=1,
                metric_name=name,
                metric_unit=unit,
                baseline=baseline,
                target=plan[-1],
                monthly_plan=plan,
            ),
        ],
        [
            ActionItem(
                id=1, workspace_id=1, objective_id=2, title=title, owner_id=1, due=date(2027, 2, 28)
            )
        ],
    )
    plan_file = parse_plan(render_plan(rows))
    assert (plan_file.vision, plan_file.values) == (vision or None, [title, name])
    assert plan_file.people[0].name == name
    bt = plan_file.breakthroughs[0]
    assert (bt.title, bt.description) == (title, vision or None)
    annual = bt.annual[0]
    assert (annual.metric.name, annual.metric.unit, annual.metric.baseline) == (
        name,
        unit,
        baseline,
    )
    assert annual.monthly_plan == plan and annual.actions[0].title == title


def test_the_workspace_language_is_imported_and_exported(engine):
    import_plan(engine, EXAMPLE_TEXT)
    with Session(engine) as session:
        assert session.exec(select(Workspace)).one()[0].language == "en"
    assert "  language: en\n" in export_plan(engine)

    report = import_plan(engine, EXAMPLE_TEXT.replace("  language: en ", "  language: ru "))
    assert report.settings_changed == ["language"]
    with Session(engine) as session:
        assert session.exec(select(Workspace)).one()[0].language == "ru"
    exported = export_plan(engine)
    assert "  language: ru\n" in exported and not import_plan(engine, exported).changed
