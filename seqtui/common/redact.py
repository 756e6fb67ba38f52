"""Secrets kept out of what seqtui prints or stores: a storage URL, an MLflow URI or a webhook may carry a
password (`postgresql://alice:S3cret@host/db`, `?token=...`), and what a command prints lands in SLURM and
CI logs. Every message that names such a URL, and every exception text, goes through here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"

# scheme://user:PASSWORD@ - the password runs to the last "@" of the URL (an unescaped "@" in a password
# must not leak its tail); quotes and spaces end a URL inside a message.
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@'\"]*:)(?P<secret>[^\s'\"]*)@")
_SECRET_KEYS = "password|passwd|pwd|pass|secret|token|access_token|api_key|apikey|key|auth|sig|signature"
_QUERY = re.compile(rf"(?P<head>[?&;](?:{_SECRET_KEYS})=)(?P<secret>[^&#\s'\"]*)", re.IGNORECASE)
_SHORTEST = 4
"""A password shorter than this is not hunted for as bare text (it would mask ordinary letters)."""


def redact_url(url: str) -> str:
    """`url` with its password and secret-looking query values (`password=`, `token=`, `key=`...) as ***.

    Works on text that is not a well-formed URL too (a typo must not print the password either), and on
    a message holding URLs: everything but the secrets is left as it was."""
    masked = _USERINFO.sub(lambda m: m["head"] + MASK + "@", url)
    return _QUERY.sub(lambda m: m["head"] + MASK, masked)


def secrets_of(url: str) -> list[str]:
    """The secrets `redact_url` hides in `url`, as written and percent-decoded."""
    found = [m["secret"] for m in _USERINFO.finditer(url)] + [m["secret"] for m in _QUERY.finditer(url)]
    return [s for secret in found for s in {secret, unquote(secret)} if len(s) >= _SHORTEST]


def redact_text(text: str, *urls: str) -> str:
    """A message (an exception from SQLAlchemy, Optuna, MLflow...) with every URL's secrets masked, and the
    secrets of `urls` masked wherever they appear, even outside a URL (a driver quoting the password)."""
    masked = redact_url(text)
    for secret in sorted({s for url in urls for s in secrets_of(url)}, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    return masked
