"""Who hears which language, end to end: signed `/hoshin` commands in, answers at the stand-in.

A person hears what they chose with `/hoshin language`, else their Slack locale, else the
workspace's language (`settings.language` in the plan file)."""

from pathlib import Path

from bot.plan.store import import_plan
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan

EXAMPLE = (Path(__file__).parents[2] / "bot" / "examples" / "acme-2027.yaml").read_text()

RUSSIAN_HELP = "Hoshin Bot: что можно спросить"
JAPANESE_HELP = "Hoshin Bot：できること"
ENGLISH_HELP = "Hoshin Bot: what you can ask"


def private(answer: dict) -> str:
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    return visible(answer)


def test_a_russian_slack_locale_gets_the_help_in_russian_then_japanese_then_back(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")

    text = private(slack.command("U0VP", "help"))
    assert RUSSIAN_HELP in text and "/hoshin help" in text
    assert "/hoshin language [en | ru | ja | auto]" in text and "Показать этот список" in text
    asked = [c.args for c in slack.standin.calls_to("users.info")]
    assert asked and all(a.get("include_locale") in (True, "true", "1") for a in asked)

    text = private(slack.command("U0VP", "language ja"))
    assert text.strip() == "Hoshin Bot はこれから日本語でお話しします。"
    text = private(slack.command("U0VP", "help"))
    assert JAPANESE_HELP in text and RUSSIAN_HELP not in text
    text = private(slack.command("U0VP", "language"))
    assert "Hoshin Bot は日本語でお話ししています。" in text and "language auto" in text

    text = private(slack.command("U0VP", "language auto"))
    assert (
        "Hoshin Bot будет говорить с вами по-русски." in text and "языку вашего Slack" not in text
    )
    assert "Это язык вашего Slack" in text
    assert RUSSIAN_HELP in private(slack.command("U0VP", "help"))


def test_the_unknown_subcommand_answer_is_in_the_askers_language(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")
    text = private(slack.command("U0VP", "frobnicate now"))
    assert "Я не знаю команды `/hoshin frobnicate`" in text and RUSSIAN_HELP in text


def test_a_bad_language_gets_a_private_error_listing_the_choices(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="en-GB")
    text = private(slack.command("U0VP", "language klingon"))
    assert "`klingon` is not a language I speak" in text
    text = private(slack.command("U0VP", "language <!channel> `x`"))
    assert "`&lt;!channel&gt; 'x'` is not a language" in text
    for choice in ("`/hoshin language en`", "`ru`", "`ja`", "`auto`"):
        assert choice in text
    slack.standin.set_user("U0VP", locale="ja-JP")
    slack.command("U0VP", "language auto")  # asks Slack again
    text = private(slack.command("U0VP", "language de"))
    assert "`de` という言語には対応していません" in text and "`auto`" in text


def test_no_choice_and_slacks_default_locale_hear_the_plan_files_language(slack):
    import_plan(slack.engine, EXAMPLE.replace("  language: en ", "  language: ja "))
    slack.standin.add_user("U0DANA01", real_name="Dana", locale="en-US")
    text = private(slack.command("U0DANA01", "help"))
    assert JAPANESE_HELP in text
    text = private(slack.command("U0DANA01", "language"))
    assert "Hoshin Bot は日本語でお話ししています。" in text and "ワークスペースの言語" in text

    slack.command("U0DANA01", "language en")
    assert ENGLISH_HELP in private(slack.command("U0DANA01", "help"))


def test_english_stays_english_and_someone_not_in_the_plan_cannot_keep_a_choice(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0CEO", real_name="Dana")  # Slack's default locale, en-US
    text = private(slack.command("U0CEO", "help"))
    assert ENGLISH_HELP in text and "/hoshin language [en | ru | ja | auto]" in text
    assert (
        private(slack.command("U0CEO", "language ru")).strip()
        == "Hoshin Bot будет говорить с вами по-русски."
    )
    slack.standin.add_user("U0STRANGER", locale="ru-RU")
    text = private(slack.command("U0STRANGER", "language ja"))
    assert "Вас пока нет в плане" in text
    assert RUSSIAN_HELP in private(slack.command("U0STRANGER", "help"))


def test_status_answers_in_the_askers_language_and_a_shared_one_in_the_workspaces(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")
    answer = slack.command("U0VP", "status AN1")
    text = private(answer)
    assert "Поделиться в канале" in text and "Share in channel" not in text

    share = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    delivery = slack.sender.block_action(
        user_id="U0VP", action_id=share["action_id"], value=share["value"], is_ephemeral=True
    )
    assert delivery.status == 200
    shared = slack.answer_to(delivery)
    assert shared["response_type"] == "in_channel"  # the channel reads the workspace's English
    assert "AN1 · Grow ARR to 14 M$" in visible(shared) and "цел" not in visible(shared)


def test_status_of_someone_with_no_locale_is_in_the_plan_files_language(slack):
    import_plan(slack.engine, EXAMPLE.replace("  language: en ", "  language: ru "))
    slack.standin.add_user("U0DANA01", real_name="Dana", locale="en-US")
    text = private(slack.command("U0DANA01", "status"))
    assert "на ФГ2027" in text and "objectives in FY2027" not in text


def test_help_and_status_still_answer_when_slack_cannot_say_the_locale(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")
    slack.standin.inject("users.info", drop=True, times=20)  # the connection dies each time
    assert ENGLISH_HELP in private(slack.command("U0VP", "help"))  # the workspace's language
    assert "AN1" in private(slack.command("U0VP", "status AN1"))
    slack.standin.reset()
    assert RUSSIAN_HELP in private(slack.command("U0VP", "help"))  # asked again, then kept


def test_the_common_subcommands_answer_to_their_russian_and_japanese_words(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")
    assert RUSSIAN_HELP in private(slack.command("U0VP", "помощь"))
    assert RUSSIAN_HELP in private(slack.command("U0VP", "Справка"))  # any case
    status = private(slack.command("U0VP", "статус AN1"))
    assert "AN1" in status and "Поделиться в канале" in status
    text = private(slack.command("U0VP", "ステータス AN1"))  # every word works for everyone
    assert "AN1" in text and "Поделиться в канале" in text  # in Ana's language still
    slack.command("U0VP", "язык ja")
    assert JAPANESE_HELP in private(slack.command("U0VP", "ヘルプ"))


def test_help_lists_the_words_of_the_readers_language(slack):
    small_plan(slack.engine)
    slack.standin.add_user("U0VP", real_name="Ana", locale="ru-RU")
    slack.standin.add_user("U0CEO", real_name="Carla", locale="ja-JP")
    slack.standin.add_user("U0MGR", real_name="Mo", locale="en-GB")
    russian = private(slack.command("U0VP", "help"))
    assert "`/hoshin статус`" in russian and "`/hoshin помощь`" in russian
    assert "ステータス" not in russian
    japanese = private(slack.command("U0CEO", "help"))
    assert "`/hoshin ステータス`" in japanese and "статус" not in japanese
    english = private(slack.command("U0MGR", "help"))
    assert "статус" not in english and "ステータス" not in english
