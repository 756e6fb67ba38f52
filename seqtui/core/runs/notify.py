"""Tell someone a run (a comparison, a sweep) ended: run a command with the outcome in `SEQTUI_*`
environment variables, or post it as JSON to a webhook (ntfy, Slack, Discord).

The command is the user's own (`--notify`, SEQTUI_NOTIFY): it runs through their shell, as git runs its
hooks, so `--notify 'notify-send "$SEQTUI_VERDICT"'` works. The outcome reaches it only as environment
variables, never pasted into the command line, so a run's name or a class name can't inject anything.

A notifier that fails or hangs costs one warning and at most `timeout` seconds: it runs in a daemon thread
that is waited for that long (a webhook's DNS lookup ignores socket timeouts), and a command's whole process
group is killed when it overstays. Nothing here raises once the target passed `check_target`.
Keras-free, stdlib only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from seqtui.common.errors import SeqtuiError
from seqtui.common.redact import redact_text, redact_url
from seqtui.common.text import inert

TIMEOUT_S = 5.0
"""The longest a notifier may take before it is given up (and a command killed)."""
WEBHOOK_SCHEMES = ("http", "https")


class NotifyError(SeqtuiError):
    """A notify target that can't work, said before the run starts."""

    title = "Bad notify target"


@dataclass(frozen=True)
class Outcome:
    """How a run, a comparison or a sweep ended: what a notifier is told."""

    kind: str
    """run, compare or sweep."""
    name: str
    status: str
    exit_code: int
    run_dir: str
    verdict: str = ""
    """One line: the run's verdict against its baseline, a comparison's winner, a sweep's best trial."""
    metric: float | None = None
    metric_name: str = ""
    """What `metric` is: test_accuracy, test_mae, a sweep's val_accuracy..."""

    @property
    def line(self) -> str:
        """The human sentence, as a chat message shows it."""
        text = f"seqtui {self.kind} {self.name}: {self.status}"
        if self.metric is not None and math.isfinite(self.metric):
            text += f", {self.metric_name} {self.metric:.4g}"
        return f"{text}. {self.verdict}" if self.verdict else text

    def env(self) -> dict[str, str]:
        """The SEQTUI_* variables a notifier command gets."""
        metric = "" if self.metric is None or not math.isfinite(self.metric) else repr(float(self.metric))
        return {
            "SEQTUI_KIND": self.kind,
            "SEQTUI_NAME": self.name,
            "SEQTUI_STATUS": self.status,
            "SEQTUI_EXIT_CODE": str(self.exit_code),
            "SEQTUI_RUN_DIR": self.run_dir,
            "SEQTUI_VERDICT": self.verdict,
            "SEQTUI_METRIC": metric,
            "SEQTUI_METRIC_NAME": self.metric_name,
            "SEQTUI_MESSAGE": self.line,
        }

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON: the sentence as Slack's `text`, Discord's `content` and ntfy's `message`,
        then the structured fields."""
        fields = asdict(self)
        if fields["metric"] is not None and not math.isfinite(fields["metric"]):
            fields["metric"] = None
        return {"text": self.line, "content": self.line, "message": self.line, **fields}


def is_webhook(target: str) -> bool:
    return urlsplit(target.strip()).scheme.lower() in WEBHOOK_SCHEMES


def check_target(target: str | None) -> str | None:
    """The target cleaned (None or blank: no notifier); NotifyError for one that can't work."""
    if target is None or not target.strip():
        return None
    target = target.strip()
    if is_webhook(target) and not urlsplit(target).hostname:
        raise NotifyError(
            f"--notify {redact_url(target)}: a webhook URL needs a host, e.g. https://ntfy.sh/TOPIC"
        )
    if "\x00" in target:
        raise NotifyError("--notify: the command holds a NUL character")
    return target


def describe(target: str) -> str:
    """The target as it may be printed: a URL without its secrets, a command's first word."""
    return redact_url(target) if is_webhook(target) else (target.split() or [""])[0]


def notify(target: str | None, outcome: Outcome, timeout: float = TIMEOUT_S) -> str | None:
    """Tell `target` (a command or a webhook URL) about `outcome`; a warning line when that failed or took
    longer than `timeout`, else None."""
    if not target:
        return None
    send = _post if is_webhook(target) else _run
    problem: list[str] = []

    def worker() -> None:
        try:
            send(target, outcome, timeout, problem)
        except Exception as exc:  # noqa: BLE001 - any failure of a notifier is one warning, never the run's
            problem.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=worker, name="seqtui-notify", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    if thread.is_alive():
        problem.append(f"no answer within {timeout:g} s")
    if not problem:
        return None
    return inert(redact_text(f"notify {describe(target)} failed: {problem[0]}", target), keep="")


def _post(url: str, outcome: Outcome, timeout: float, problem: list[str]) -> None:
    body = json.dumps(outcome.payload(), ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "seqtui"}
    parts = urlsplit(url)
    if (
        parts.username is not None
    ):  # user:password@ becomes Basic auth, as curl sends it (ntfy's access control)
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the user's own URL
            answer.read(1 << 16)
    except urllib.error.HTTPError as exc:
        problem.append(f"the server answered {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        problem.append(str(exc.reason))
    except OSError as exc:  # a timeout while reading, a reset connection
        problem.append(str(exc) or type(exc).__name__)


def _run(command: str, outcome: Outcome, timeout: float, problem: list[str]) -> None:
    """The command through the user's shell, in its own process group (killed whole on a timeout), with
    stdin closed and its output kept off seqtui's stdout (JSON lines may be flowing there)."""
    posix = os.name == "posix"
    process = subprocess.Popen(  # noqa: S602 - the user's own command, like a git hook
        command,
        shell=True,
        env={**os.environ, **outcome.env()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=posix,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process, posix)
        problem.append(f"still running after {timeout:g} s (stopped)")
        return
    if process.returncode:
        last = (output or b"").decode("utf-8", "replace").strip().splitlines()
        said = f": {last[-1][:200]}" if last else ""
        problem.append(f"exit code {process.returncode}{said}")


def _kill(process: subprocess.Popen[bytes], posix: bool) -> None:
    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
    with contextlib.suppress(subprocess.TimeoutExpired, OSError, ValueError):
        process.communicate(timeout=1)  # a child that left the group may hold the pipe: don't wait for it
