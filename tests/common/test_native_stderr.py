"""TensorFlow's C++ start-up lines (written to fd 2 whatever TF_CPP_MIN_LOG_LEVEL says) never reach the
terminal, while everything Python writes to stderr still does; SEQTUI_DEBUG=1 keeps them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

TF_NOISE = ("absl::InitializeLog", "oneDNN custom operations")


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SEQTUI_DEBUG"} | env
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=240,
        env=environment,
    )


def test_native_writes_go_aside_and_python_writes_reach_stderr(tmp_path):
    log = tmp_path / "state" / "native.log"
    out = run(
        f"""
        import os, sys
        from pathlib import Path
        from seqtui.common.native_stderr import app_native_stderr, native_stderr_to
        with native_stderr_to(None):
            os.write(2, b"native one\\n")
            print("python one", file=sys.stderr)
        os.write(2, b"native after\\n")
        with app_native_stderr(Path({str(log)!r})):
            os.write(2, b"native two\\n")
            print("python two", file=sys.__stderr__, flush=True)
            with native_stderr_to(None):  # inside the app: fd 2 already goes to the log
                os.write(2, b"native three\\n")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == ["python one", "native after", "python two"]
    assert log.read_text().splitlines() == ["native two", "native three"]


def test_importing_keras_prints_no_tensorflow_start_up_lines():
    out = run(
        """
        import sys
        from seqtui.common.keras_door import import_keras
        print("before", file=sys.stderr)
        import_keras()
        print("after", file=sys.stderr)
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == ["before", "after"]


def test_seqtui_debug_keeps_them():
    out = run("from seqtui.common.keras_door import import_keras; import_keras()", SEQTUI_DEBUG="1")
    assert out.returncode == 0, out.stderr
    assert any(noise in out.stderr for noise in TF_NOISE)


def test_no_stderr_at_all_is_no_error():
    """Daemons and cron jobs may start seqtui with fd 2 closed."""
    code = (
        "from seqtui.common.native_stderr import native_stderr_to\nwith native_stderr_to(None) as s: print(s)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(2),
    )
    assert result.returncode == 0
    assert result.stdout.strip() == "None"
