"""Settings: secrets stay secret, and a missing or placeholder value names its variable."""

import pytest

from bot.settings import SettingsError, load_settings


def test_secrets_do_not_show_in_repr(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-secret-token")
    settings = load_settings(_env_file=None)
    assert "xoxb-real-secret-token" not in repr(settings)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-real-secret-token"


def test_missing_value_names_the_variable(monkeypatch):
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET is not set"):
        settings.require("slack_signing_secret")


def test_placeholder_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-your-bot-token")
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN is still the placeholder"):
        settings.require("slack_bot_token")


def test_api_url_defaults_to_slack_and_gains_a_slash(monkeypatch):
    monkeypatch.delenv("SLACK_API_URL", raising=False)
    assert load_settings(_env_file=None).api_url == "https://slack.com/api/"
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert load_settings(_env_file=None).api_url == "http://127.0.0.1:9/api/"


def test_invalid_value_is_named(monkeypatch):
    monkeypatch.setenv("SLACK_MAX_RETRIES", "many")
    with pytest.raises(SettingsError, match=r"^SLACK_MAX_RETRIES is invalid"):
        load_settings(_env_file=None)


def test_database_url_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_settings(_env_file=None).database_url.startswith("sqlite:///")


def test_the_body_cap_defaults_to_1_mib_and_stays_in_its_range(monkeypatch):
    monkeypatch.delenv("HTTP_MAX_BODY_BYTES", raising=False)
    assert load_settings(_env_file=None).http_max_body_bytes == 1024 * 1024
    # 512 KiB at least: an edited check-in or hansei modal with five answers of 3,000 CJK
    # characters is about 270 KB form-encoded, and must never get 413.
    for refused in ("1000", "65536", str(512 * 1024 - 1), str(128 * 1024 * 1024), "-1"):
        monkeypatch.setenv("HTTP_MAX_BODY_BYTES", refused)
        with pytest.raises(SettingsError, match=r"^HTTP_MAX_BODY_BYTES is invalid"):
            load_settings(_env_file=None)
    monkeypatch.setenv("HTTP_MAX_BODY_BYTES", str(512 * 1024))
    assert load_settings(_env_file=None).http_max_body_bytes == 512 * 1024


def test_the_window_for_unsigned_buttons_is_a_date_named_when_wrong(monkeypatch):
    monkeypatch.delenv("UNSIGNED_BUTTONS_UNTIL", raising=False)
    assert load_settings(_env_file=None).unsigned_buttons_until is None
    monkeypatch.setenv("UNSIGNED_BUTTONS_UNTIL", "2027-01-31")
    assert str(load_settings(_env_file=None).unsigned_buttons_until) == "2027-01-31"
    monkeypatch.setenv("UNSIGNED_BUTTONS_UNTIL", "end of January")
    with pytest.raises(SettingsError, match="UNSIGNED_BUTTONS_UNTIL is invalid"):
        load_settings(_env_file=None)
