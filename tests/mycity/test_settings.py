"""Settings come from the environment and fail loudly on a missing or bad value."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(45)[:60],
    "ALLOWED_HOSTS": "mycity.example.org",
    "SITE_URL": "https://mycity.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://mycity.example.org",
}


def run(args: list[str], **environment: str | None) -> subprocess.CompletedProcess:
    """Run Python in a clean environment: PATH, the settings module and `environment`."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "mycity.settings"}
    env.update({k: v for k, v in environment.items() if v is not None})
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def setup_django(**environment: str | None) -> subprocess.CompletedProcess:
    return run(["-c", "import django; django.setup()"], **environment)


def test_production_environment_starts():
    result = setup_django(**PRODUCTION)

    assert result.returncode == 0, result.stderr


def test_empty_environment_starts_in_debug_mode():
    result = setup_django(DEBUG="true")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY", id="no-secret-key"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-maybe"),
        pytest.param(
            {"DATABASE_URL": "postgres://mycity@127.0.0.1/mycity", "CONN_MAX_AGE": "abc"},
            "CONN_MAX_AGE",
            id="conn-max-age-abc",
        ),
        pytest.param(
            {"DATABASE_URL": "postgres://mycity@127.0.0.1/mycity", "CONN_MAX_AGE": "-1"},
            "CONN_MAX_AGE",
            id="conn-max-age-negative",
        ),
        pytest.param({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE", id="media-storage-ftp"),
        pytest.param({"MEDIA_STORAGE": "s3"}, "S3_BUCKET", id="s3-without-bucket"),
        pytest.param({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL", id="database-url"),
        pytest.param(
            {"TELEGRAM_BOT_TOKEN": "123:abc"}, "TELEGRAM_BOT_USERNAME", id="telegram-incomplete"
        ),
        pytest.param(
            {
                "TELEGRAM_BOT_TOKEN": "123:abc",
                "TELEGRAM_BOT_USERNAME": "mycity_bot",
                "TELEGRAM_WEBHOOK_SECRET": "has spaces!",
            },
            "TELEGRAM_WEBHOOK_SECRET",
            id="telegram-secret-format",
        ),
        pytest.param(
            {"SMS_BACKEND": "citizens.notifications.sms.backends.JsonGatewayBackend"},
            "SMS_GATEWAY_URL",
            id="sms-gateway-without-url",
        ),
        pytest.param(
            {
                "SMS_BACKEND": "citizens.notifications.sms.backends.JsonGatewayBackend",
                "SMS_GATEWAY_URL": "https://sms.example.org/send",
            },
            "SMS_GATEWAY_TOKEN",
            id="sms-gateway-without-token",
        ),
        pytest.param({"SMS_SENDER": "Kherson City Council"}, "SMS_SENDER", id="sms-sender"),
        pytest.param({"SMS_MAX_SEGMENTS": "0"}, "SMS_MAX_SEGMENTS", id="sms-segments"),
        pytest.param({"VAPID_PUBLIC_KEY": "abc"}, "VAPID_PRIVATE_KEY", id="vapid-half"),
        pytest.param(
            {
                "VAPID_PUBLIC_KEY": "abc",
                "VAPID_PRIVATE_KEY": "def",
                "VAPID_SUBJECT": "http://mycity.example.org",
            },
            "VAPID_SUBJECT",
            id="vapid-subject-scheme",
        ),
        pytest.param({"FCM_CREDENTIALS": "not json"}, "FCM_CREDENTIALS", id="fcm-not-json"),
        pytest.param(
            {"FCM_CREDENTIALS": '{"type": "authorized_user"}'},
            "FCM_CREDENTIALS",
            id="fcm-not-a-service-account",
        ),
        pytest.param(
            {"FCM_CREDENTIALS": '{"type": "service_account"}'},
            "FCM_PROJECT_ID",
            id="fcm-without-project",
        ),
        pytest.param({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL", id="redis-url"),
        pytest.param({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL", id="email-url"),
        pytest.param({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS", id="no-allowed-hosts"),
        pytest.param({"SITE_URL": "mycity.example.org"}, "SITE_URL", id="site-url-scheme"),
        pytest.param(
            {"CSRF_TRUSTED_ORIGINS": "mycity.example.org"},
            "CSRF_TRUSTED_ORIGINS",
            id="csrf-origin-scheme",
        ),
        pytest.param(
            {"RATE_LIMIT_APPEAL_ACCOUNT": "lots"}, "RATE_LIMIT_APPEAL_ACCOUNT", id="rate-limit"
        ),
        pytest.param({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT", id="proxy-count"),
        pytest.param(
            {"SECRET_KEY": None, "SECRET_KEY_FILE": "/nonexistent/secret"},
            "SECRET_KEY_FILE",
            id="secret-key-file-missing",
        ),
    ],
)
def test_bad_environment_stops_startup_naming_the_variable(changes, named):
    result = setup_django(**{**PRODUCTION, **changes})

    assert result.returncode != 0
    error = result.stderr[result.stderr.rindex("Traceback") :].splitlines()
    message = next(line for line in error if line.startswith("django.core.exceptions."))
    assert message.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert named in message


@pytest.mark.parametrize(
    "url",
    ["postgres://mycity:hunter2@db:port/mycity", "nonsense://mycity:hunter2@db/mycity"],
)
def test_bad_database_url_error_does_not_show_the_password(url):
    result = setup_django(**{**PRODUCTION, "DATABASE_URL": url})

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_bad_value_is_quoted_in_the_error():
    result = setup_django(**{**PRODUCTION, "DEBUG": "maybe"})

    assert "'maybe'" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(PRODUCTION["SECRET_KEY"] + "\n")
    environment = {**PRODUCTION, "SECRET_KEY": None, "SECRET_KEY_FILE": str(secret)}

    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECRET_KEY)",
        ],
        **environment,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == PRODUCTION["SECRET_KEY"]


def test_deployment_check_passes_with_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout


def test_abuse_limits_and_the_proxy_count_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, "
        "s.REST_FRAMEWORK['NUM_PROXIES'], s.RATE_LIMITS['appeal']['account'], "
        "s.ACCOUNT_RATE_LIMITS['signup'])"
    )
    result = run(
        ["-c", code],
        **PRODUCTION,
        TRUSTED_PROXY_COUNT="1",
        RATE_LIMIT_APPEAL_ACCOUNT="3/hour",
        RATE_LIMIT_SIGNUP_ADDRESS="5/day",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "1", "3/hour", "5/d/ip"]


def test_the_former_name_of_the_proxy_count_is_still_read():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.TRUSTED_PROXY_COUNT)"
    result = run(["-c", code], **PRODUCTION, API_NUM_PROXIES="2")
    assert result.stdout.strip() == "2", result.stderr
