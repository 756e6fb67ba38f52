"""The data part of a `train.py` for a run on images from a Keras .npz the user gave with `--data` (mnist.npz,
or a Fashion-MNIST file in its layout: x_train, y_train, x_test and y_test): read with NumPy and no pickle,
checked as `seqtui.datasets.keras_files.check_images` checks them (28x28 whole-number grey levels 0-255, one
label 0-9 per image), scaled to [0, 1] and split as `seqtui.datasets.keras_sets` splits them (validation held
out of the training images with seed 0, the file's own test images kept as they are).
"""

from __future__ import annotations

from pathlib import Path

from seqtui.core.runs.script_parts import Config, DataReader
from seqtui.core.runs.script_parts import quoted as _q

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
"""The arrays of Keras' mnist.npz (and of a Fashion-MNIST file in its layout)."""


def _npz_path(config: Config) -> Path | None:
    """The .npz the run's images came from, or None for a run that read no such file."""
    data = config.get("data", {})
    if config.get("input_kind") != "image" or not data.get("data_path"):
        return None
    path = Path(str(data["data_path"])).expanduser()
    if path.is_dir():  # a folder of images or of idx files: `export_script_images` reads those
        return None
    dataset, npz = data.get("dataset"), path.suffix.lower() == ".npz"
    # --dataset mnist reads any file as mnist.npz; "file" and fashion-mnist read an .npz by its suffix
    return path if dataset == "mnist" or (dataset in ("file", "fashion-mnist") and npz) else None


def is_npz_run(config: Config) -> bool:
    """Whether the run classified the images of a Keras .npz given with --data."""
    return _npz_path(config) is not None


def npz_problem(config: Config) -> str | None:
    """Why a script can't read the run's .npz the way seqtui did (seqtui itself can't read it now), or None."""
    from seqtui.datasets.errors import DataError
    from seqtui.datasets.keras_files import check_images, load_npz_file

    path = _npz_path(config)
    if path is None or not path.is_file():
        return f"the run's data {path} is no longer there to read (a Keras .npz of images)"
    try:
        arrays = load_npz_file(path, NPZ_KEYS)
        check_images(arrays["x_train"], arrays["y_train"], f"{path.name} (training part)")
        check_images(arrays["x_test"], arrays["y_test"], f"{path.name} (test part)")
    except DataError as exc:
        return f"seqtui can't read {path.name} now ({str(exc)[:200]})"
    return None


def npz_section(config: Config) -> str:
    """The constants, the check and `load_data(path)` of a run on a Keras .npz of images."""
    path = _npz_path(config)
    if path is None:  # check_scriptable asked is_npz_run first
        raise ValueError("the run read no .npz of images")
    return f"""DATA = Path({_q(str(path.resolve()))})  # Keras' mnist.npz layout; --data PATH reads another such file
KEYS = {list(NPZ_KEYS)!r}


{_NPZ_CODE}"""


_NPZ_CODE = '''def checked(x, y, path, part):
    """One part's images and labels, checked as seqtui checks them: 28x28 whole-number grey levels 0-255 and
    one whole-number label 0-9 per image."""
    where = f"{path} ({part} part)"
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise SystemExit(f"{where}: images must be 28x28 (got shape {x.shape})")
    if y.ndim != 1 or len(y) != len(x):
        raise SystemExit(f"{where}: labels must be one per image (got {y.shape} for {len(x)} images)")
    if not np.issubdtype(x.dtype, np.integer) or not np.issubdtype(y.dtype, np.integer):
        raise SystemExit(f"{where}: images and labels must be integers (got {x.dtype}, {y.dtype})")
    if x.size and (x.min() < 0 or x.max() > 255):
        raise SystemExit(f"{where}: pixels must be grey levels 0-255 (got {x.min()}..{x.max()})")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise SystemExit(f"{where}: labels must be the classes 0-9 (got {y.min()}..{y.max()})")
    return x, y


def load_data(path=DATA):
    """The file's images read with NumPy (no pickle), scaled to [0, 1]; VALIDATION_SPLIT of the training images
    held out for validation, the file's test images as they are."""
    with np.load(path, allow_pickle=False) as npz:
        missing = [key for key in KEYS if key not in npz.files]
        if missing:
            raise SystemExit(f"{path} lacks {', '.join(missing)}; a Keras image file has {', '.join(KEYS)}")
        x_train, y_train, x_test, y_test = (npz[key] for key in KEYS)
    x_train, y_train = checked(x_train, y_train, path, "training")
    x_test, y_test = checked(x_test, y_test, path, "test")
    x_train = (x_train.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_test = (x_test.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_train, y_train, x_val, y_val = shuffled_split(x_train, y_train.astype("int32"), VALIDATION_SPLIT, 0)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test.astype("int32"))'''


NPZ_READER = DataReader(
    what="your Keras .npz of images (mnist.npz, Fashion-MNIST in its layout)",
    claims=is_npz_run,
    section=npz_section,
    imports=lambda config: (),
    problem=npz_problem,
    takes_file=is_npz_run,
)
"""Runs on the images of a Keras .npz given with --data."""
