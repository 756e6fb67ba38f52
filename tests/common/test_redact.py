"""A password in a URL never reaches a message: storage URLs, MLflow URIs, webhooks, and exception texts."""

from __future__ import annotations

import pytest

from seqtui.common.errors import describe_error, error_text
from seqtui.common.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://alice:S3cret@127.0.0.1:1/db", "postgresql://alice:***@127.0.0.1:1/db"),
        ("postgresql+psycopg://alice:S3cret@db.example/db", "postgresql+psycopg://alice:***@db.example/db"),
        ("mysql://bob:p@ss:w0rd@host/db", "mysql://bob:***@host/db"),  # an unescaped @ in the password
        (
            "https://u:S3cret@hooks.example/x?token=T0ken&room=a",
            "https://u:***@hooks.example/x?token=***&room=a",
        ),
        ("postgresql://h/db?user=alice&password=S3cret", "postgresql://h/db?user=alice&password=***"),
        ("postgresql://alice:S3cret@[bad/db", "postgresql://alice:***@[bad/db"),  # not even a valid URL
        ("sqlite:////runs/sweeps.sqlite3", "sqlite:////runs/sweeps.sqlite3"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("postgresql://alice@h/db", "postgresql://alice@h/db"),  # a user alone is no secret
        ("사용자:비밀@host", "사용자:비밀@host"),  # no scheme: not a URL, left as it was
    ],
)
def test_a_url_keeps_everything_but_its_secrets(url, shown):
    assert redact_url(url) == shown


def test_a_message_holding_urls_masks_each_and_the_known_password_even_bare():
    url = "postgresql://alice:S3%40cret@h/db"
    text = f"could not connect to {url!r}; server said: password 'S3@cret' rejected, see http://x:y0y0@z/"
    masked = redact_text(text, url)
    assert "S3" not in masked and "y0y0" not in masked
    assert (
        masked
        == "could not connect to 'postgresql://alice:***@h/db'; server said: password '***' rejected, see http://x:***@z/"
    )


def test_an_exception_quoting_its_url_is_masked_in_every_door(monkeypatch):
    """A real MLflow client error names the URL it called, with the password; the one-line form both doors
    print (and a failed run stores) must not."""
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    client = mlflow.tracking.MlflowClient(tracking_uri="http://alice:S3cret@127.0.0.1:1")
    with pytest.raises(Exception) as caught:
        client.get_experiment_by_name("x")
    assert "S3cret" in str(caught.value)  # the library's own text carries it
    assert "S3cret" not in error_text(caught.value) and "http://alice:***@127.0.0.1:1/api" in error_text(
        caught.value
    )
    title, message = describe_error(caught.value)
    assert "S3cret" not in message and "alice:***@" in message
