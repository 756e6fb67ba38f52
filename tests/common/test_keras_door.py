"""The lazy Keras door while a thread is still importing Keras (the app loads it in the background while Setup
builds the model summary): nothing reads the half-made module."""

from __future__ import annotations

import subprocess
import sys
import textwrap


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
