"""The lazy Keras door while a thread is still importing Keras (the app loads it in the background while Setup
builds the model summary): nothing reads the half-made module."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def test_a_half_imported_keras_counts_as_not_loaded_and_the_backend_is_still_answered():
    code = textwrap.dedent(
        """
        import sys, threading, time
        from seqtui.common.keras_door import import_keras, loaded_keras
        from seqtui.core.hardware.backend import expected_backend
        engine = threading.Thread(target=import_keras)
        engine.start()
        while "keras" not in sys.modules:
            time.sleep(0.0005)
        during = (loaded_keras(), expected_backend())
        engine.join()
        print(during[0] is None, during[1], loaded_keras() is not None, expected_backend())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "tensorflow", "True", "tensorflow"]


FAKE_KERAS = """
import os, signal
try:  # what pybind11 does to an exception raised while a C extension initialises
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(1000):
        pass
except BaseException as exc:
    if {swallowed}:
        optional = None  # an optional part taken as missing: the import goes on
    else:
        raise ImportError("initialization failed") from exc
"""


@pytest.mark.parametrize("swallowed", [False, True])
def test_ctrl_c_while_keras_imports_stays_an_interrupt_not_a_missing_dependency(tmp_path, swallowed):
    """A Ctrl+C that lands while a C extension initialises reaches Keras as an ImportError; the user is told
    the run stopped, not that a dependency is missing."""
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "__init__.py").write_text(FAKE_KERAS.format(swallowed=swallowed))
    code = textwrap.dedent(
        """
        import signal
        from seqtui.common.keras_door import import_keras
        def stop(signum, frame):
            raise KeyboardInterrupt("stopped before training started")
        signal.signal(signal.SIGINT, stop)
        try:
            import_keras()
        except KeyboardInterrupt as exc:
            print("interrupt:", exc)
        except Exception as exc:
            print("error:", type(exc).__name__, exc)
        else:
            print("imported")
        print(signal.getsignal(signal.SIGINT) is stop)
        """
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.splitlines() == ["interrupt: stopped before training started", "True"], out.stderr
