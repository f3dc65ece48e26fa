"""`/hoshin status` in English, Russian and Japanese: every count in its plural form, numbers in
the reader's format, nothing left in English, and Slack's limits kept in every language."""

import dataclasses
from datetime import date

import pytest

from bot.blocks.common import FALLBACK_LIMIT
from bot.context import StatusQuery
from bot.errors import NotFound
from bot.i18n import ENGLISH, LANGUAGES, translator
from bot.standin.blockkit import validate_message_blocks
from bot.status.blocks import node_line, objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status
from bot.status.service import answer_status
from storage.status import ActionRow, CheckInRow, PersonRow
from tests.status.test_status import row
from tests.status.test_status_blocks import TODAY, big_plan
from tests.status.test_status_service import store_plan
from tests.text import visible_text

RU, JA = translator("ru"), translator("ja")
# English words of the status answer that a Russian or Japanese reader must not meet.
ENGLISH_WORDS = ("objective", "on track", "at risk", "off track", "below", "plan ", "Share", "due")


def plan(breakthroughs: int, annual: int, cascaded: int = 0):
    rows, latest, people = big_plan(breakthroughs, annual, cascaded)
    return build_plan_status(rows, latest, people, year=2027, start_month=1), people


def overview(tr, breakthroughs=1, annual=3, cascaded=2):
    status, _ = plan(breakthroughs, annual, cascaded)
    return plan_overview(status, vision="Zero defects", query=StatusQuery(), tr=tr)


def person(tr, status, people, actions=()):
    return person_overview(
        status,
        people[1],
        vision=None,
        actions=list(actions),
        people=people,
        today=TODAY,
        query=StatusQuery(kind="person", user="U0ANA"),
        tr=tr,
    )


def detail(tr, status, people, **kw):
    kw.setdefault("history", [])
    kw.setdefault("actions", [])
    return objective_detail(
        status,
        status.by_ref["AN0.0"],
        vision="v",
        people=people,
        today=TODAY,
        query=StatusQuery(kind="objective", ref="AN0.0"),
        tr=tr,
        **kw,
    )


def test_english_counts_say_objective_for_one_and_objectives_for_more():
    status, people = plan(1, 1)
    one = plan_overview(status, vision=None, query=StatusQuery())
    assert "*1* objective in FY2027:" in visible_text(one.blocks)
    status, people = plan(1, 0)
    assert person(ENGLISH, status, people).text == "Ana: 1 objective in FY2027"
    status, people = plan(1, 1)
    assert person(ENGLISH, status, people).text == "Ana: 2 objectives in FY2027"
    # 21 top-level objectives: one is left out, and the hint says so in the singular.
    many = visible_text(overview(ENGLISH, breakthroughs=21, annual=0).blocks)
    assert "…and 1 more top-level objective. Drill down" in many


def test_english_is_unchanged_by_the_translator():
    status, _ = plan(1, 3, 2)
    default = plan_overview(status, vision="Zero defects", query=StatusQuery())
    assert visible_text(overview(ENGLISH).blocks) == visible_text(default.blocks)
    text = visible_text(overview(translator("en-GB")).blocks)
    assert "*9* objectives in FY2027: :large_green_circle: 1 on track" in text
    assert "4.5 M$ of 14 M$ (May, plan 4) · 2 below" in text


@pytest.mark.parametrize(
    ("children", "words"),
    [
        (1, "1 цель ниже"),
        (2, "2 цели ниже"),
        (5, "5 целей ниже"),
        (11, "11 целей ниже"),
        (21, "21 цель ниже"),
        (22, "22 цели ниже"),
    ],
)
def test_russian_counts_take_the_form_their_number_needs(children, words):
    status, _ = plan(1, children)
    assert node_line(status, status.by_ref["BT0"], RU).endswith(f" · {words}")


@pytest.mark.parametrize(
    ("n", "overview_says", "person_says"),
    [
        (1, "*1* цель на ФГ2027", "Ana: 1 цель на ФГ2027"),
        (2, "*2* цели на ФГ2027", "Ana: 2 цели на ФГ2027"),
        (5, "*5* целей на ФГ2027", "Ana: 5 целей на ФГ2027"),
    ],
)
def test_russian_overview_and_person_count_objectives(n, overview_says, person_says):
    status, _ = plan(1, n)  # the year's count: n annual objectives
    text = visible_text(plan_overview(status, vision=None, query=StatusQuery(), tr=RU).blocks)
    assert overview_says in text
    status, people = plan(1, n - 1)  # what Ana owns: the breakthrough and n - 1 annual ones
    assert person(RU, status, people).text == person_says


def test_russian_answer_is_russian_with_russian_numbers():
    message = overview(RU)
    text = visible_text(message.blocks)
    assert text.startswith("Статус Hoshin · ФГ2027\n*Истинный север:* Zero defects")
    assert ":large_green_circle: в норме: 1" in text
    assert "4,5 M$ из 14 M$ (май, план 4) · 2 цели ниже" in text
    assert "Поделиться в канале" in text
    assert message.text.startswith("Статус Hoshin ФГ2027: в норме — 1, под угрозой — 1")
    assert not [word for word in ENGLISH_WORDS if word in text + message.text]


def test_japanese_answer_is_japanese_with_japanese_dates():
    message = overview(JA)
    text = visible_text(message.blocks)
    assert text.startswith("Hoshin ステータス · 2027年度\n*真北：* Zero defects")
    assert "4.5 M$／目標 14 M$（5月、計画 4） · 下位 2 件" in text
    assert not [word for word in ENGLISH_WORDS if word in text + message.text]
    status, people = plan(1, 1)
    history = [CheckInRow(2, "2027-05", 4.5, "at_risk", challenges="late", countermeasure="x")]
    text = visible_text(detail(JA, status, people, history=history).blocks)
    assert ":large_yellow_circle: `2027年5月` 実績 4.5 M$ · 計画 4 M$" in text
    assert "*2027年5月のメモ*\n*課題：* late\n*対策：* x" in text


def test_detail_speaks_russian_down_to_actions_and_percentages():
    rows, latest, people = big_plan(1, 1, 0)
    rows[1] = dataclasses.replace(rows[1], metric_unit="%", baseline=1234.5, target=93.25)
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    actions = [ActionRow(1, 2, "Hire", 1, date(2027, 6, 1), "blocked")]
    history = [CheckInRow(2, "2027-05", 4.5, "on_track")]
    message = detail(RU, status, people, history=history, actions=actions)
    text = visible_text(message.blocks)
    assert "*Исходное → целевое значение*\n1\xa0234,5\xa0% → 93,25\xa0%" in text
    assert "*Последний факт*\n4,5\xa0% за май 2027 (план 4)" in text
    assert "заблокировано · срок 2027-06-01 · :warning: *просрочено*" in text
    assert message.text == "AN0.0 Objective AN0.0: в норме"
    assert not [word for word in ENGLISH_WORDS if word in text]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("breakthroughs", "annual", "cascaded"), [(1, 1, 0), (30, 10, 32), (2, 400, 10)]
)
def test_overview_fits_slack_in_every_language(language, breakthroughs, annual, cascaded):
    message = overview(translator(language), breakthroughs, annual, cascaded)
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert len(visible_text(message.blocks)) <= 11500
    assert 0 < len(message.text) <= FALLBACK_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_and_person_of_a_huge_objective_fit_slack_in_every_language(language):
    tr = translator(language)
    rows, latest, people = big_plan(1, 1, 3000)
    rows[1] = dataclasses.replace(
        row(2, "AN0.0", parent=1, plan=[1.0] * 12), description="x" * 5000
    )
    people[1] = PersonRow(1, "U0ANA", "Ана Фернандес-Оливейра " * 8)
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    history = [
        CheckInRow(2, f"2027-{m:02d}", m, "at_risk", challenges="c" * 4000, countermeasure="k")
        for m in range(1, 13)
    ]
    actions = [ActionRow(i, 2, "Do " * 100, 1, date(2027, 1, 1), "open") for i in range(500)]
    for message in (
        detail(tr, status, people, history=history, actions=actions),
        person(tr, status, people, actions),
    ):
        assert validate_message_blocks(message.blocks) == []
        assert len(message.blocks) <= 50
        assert len(visible_text(message.blocks)) <= 11500
        assert 0 < len(message.text) <= FALLBACK_LIMIT
        assert {"en": "…and", "ru": "…и ещё", "ja": "…ほか"}[language] in visible_text(
            message.blocks
        )


def test_answer_status_answers_and_refuses_in_the_reader_s_language(engine):
    store_plan(engine, "T0RU", annual=2, cascaded_each=0)

    def ask(tr, **query):
        day = date(2027, 3, 1)
        return answer_status(engine, team_id="T0RU", query=StatusQuery(**query), today=day, tr=tr)

    assert "*2* цели на ФГ2027" in visible_text(ask(RU).blocks)
    with pytest.raises(NotFound, match="Может быть, вы имели в виду `AN1`"):
        ask(RU, kind="objective", ref="AN3")
    with pytest.raises(NotFound, match="という名前のメンバーは計画にいません"):
        ask(JA, kind="person", user="nobody")
