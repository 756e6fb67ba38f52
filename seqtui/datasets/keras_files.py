"""Keras-format files the user copied by hand, read without Keras' download or hash check and validated:
imdb.npz / reuters.npz (object arrays of Python int lists, read only through Keras' restricted loader),
mnist.npz (uint8 arrays) and the gzipped idx files of Fashion-MNIST.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from seqtui.common.keras_door import import_keras
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError

KERAS_SEED = 113  # Keras' default shuffling seed: the same split as every Keras tutorial


def load_npz_file(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A user's npz: numeric arrays without pickle; object arrays only through Keras' restricted loader."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except ValueError:
        import_keras()  # through the door (backend, quiet logs); then Keras' own restricted npz reader,
        try:  # a private module (keras.src) that only keras >= 3.12 has: numpy arrays only, no pickle
            from keras.src.datasets.npz_utils import load_npz
        except ImportError as exc:
            raise DataError(
                f"{path} stores object arrays, which this Keras version can't read safely; "
                "upgrade keras (>= 3.12) or convert the file to numeric arrays"
            ) from exc
        try:
            arrays = dict(load_npz(path))
        except Exception as exc:
            raise DataError(f"{path} is not a readable Keras dataset file: {exc}") from exc
    except Exception as exc:  # not a zip, a truncated member, an .npy instead of an .npz...
        raise DataError(f"{path} is not a readable .npz file ({exc}); pass the file Keras downloads") from exc
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise DataError(f"{path} lacks {', '.join(missing)}; a Keras dataset file has {', '.join(keys)}")
    odd = [k for k in keys if not isinstance(arrays[k], np.ndarray)]
    if odd:
        raise DataError(f"{path}: {', '.join(odd)} must be NumPy arrays, as Keras stores them")
    return arrays


def sequence_lists(arr: np.ndarray, path: Path, key: str) -> list[list[int]]:
    """Keras stores IMDB/Reuters reviews as an object array of Python int lists (or a 2-D int array)."""
    ragged = arr.dtype == object and arr.ndim == 1
    if not ragged and not (arr.ndim == 2 and np.issubdtype(arr.dtype, np.integer)):
        raise DataError(
            f"{path}: {key} has shape {arr.shape} and dtype {arr.dtype}; a Keras text dataset holds one list "
            "of word ids per text (is this an image file such as mnist.npz? then pass --dataset mnist)"
        )
    try:
        seqs = [[int(w) for w in seq] for seq in arr]
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"{path}: {key} must hold lists of word ids (whole numbers)") from exc
    if any(w < 0 for seq in seqs for w in seq):
        raise DataError(f"{path}: {key} holds negative word ids")
    return seqs


def label_array(arr: np.ndarray, path: Path, key: str, n: int, classes: int) -> np.ndarray:
    if arr.ndim != 1 or len(arr) != n or not np.issubdtype(arr.dtype, np.integer):
        raise DataError(
            f"{path}: {key} must be one whole-number label per text ({n}); got shape {arr.shape}, dtype {arr.dtype}"
        )
    if len(arr) and (arr.min() < 0 or arr.max() >= classes):
        raise DataError(f"{path}: {key} holds labels outside 0..{classes - 1}")
    return arr.astype("int32")


def user_text_arrays(path: Path, module: str, classes: int, config: DataConfig) -> tuple[tuple, tuple]:
    """The --data copy of imdb.npz (x_train, y_train, x_test, y_test) or reuters.npz (x, y, split here as
    Keras splits it), encoded as Keras does: start_char=1, oov_char=2, index_from=3; every word id kept (the
    caller cuts them to the vocabulary)."""
    if not path.is_file():
        raise DataError(f"{path} does not exist; pass the {module}.npz file Keras downloads")
    if module == "reuters":
        a = load_npz_file(path, ("x", "y"))
        xs = sequence_lists(a["x"], path, "x")
        ys = label_array(a["y"], path, "y", len(xs), classes)
        order = np.arange(len(xs))
        np.random.RandomState(KERAS_SEED).shuffle(order)
        xs, ys = [xs[i] for i in order], ys[order]
        cut = int(len(xs) * (1 - config.test_split))
        parts = [(xs[:cut], ys[:cut]), (xs[cut:], ys[cut:])]
    else:
        a = load_npz_file(path, ("x_train", "y_train", "x_test", "y_test"))
        parts = []
        for split in ("train", "test"):
            seqs = sequence_lists(a[f"x_{split}"], path, f"x_{split}")
            parts.append((seqs, label_array(a[f"y_{split}"], path, f"y_{split}", len(seqs), classes)))
    (x_train, y_train), (x_test, y_test) = (([[1] + [w + 3 for w in s] for s in x], y) for x, y in parts)
    if not x_train or not x_test:
        raise DataError(f"{path}: the training or the test part is empty")
    return (x_train, y_train), (x_test, y_test)


def check_images(x: np.ndarray, y: np.ndarray, where: str) -> None:
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DataError(f"{where}: images must be 28x28 (got shape {x.shape})")
    if y.ndim != 1 or len(y) != len(x):
        raise DataError(f"{where}: labels must be one per image (got {y.shape} for {len(x)} images)")
    if not np.issubdtype(x.dtype, np.integer) or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{where}: images and labels must be integers (got {x.dtype}, {y.dtype})")
    if x.size and (x.min() < 0 or x.max() > 255):
        raise DataError(f"{where}: pixels must be grey levels 0-255 (got {x.min()}..{x.max()})")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise DataError(f"{where}: labels must be the classes 0-9 (got {y.min()}..{y.max()})")


def read_idx(path: Path) -> np.ndarray:
    """An idx file (gzipped or not): uint8 labels (magic 2049) or images (magic 2051)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path} is not a readable idx file: {exc}") from exc
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 8 else 0
    if magic == 2049:
        return np.frombuffer(raw, np.uint8, offset=8)
    if magic == 2051 and len(raw) >= 16:
        n, rows, cols = (int.from_bytes(raw[i : i + 4], "big") for i in (4, 8, 12))
        data = np.frombuffer(raw, np.uint8, offset=16)
        if data.size != n * rows * cols:
            raise DataError(f"{path}: header says {n}x{rows}x{cols} images but holds {data.size} bytes")
        return data.reshape(n, rows, cols)
    raise DataError(f"{path} is not an idx file (magic number {magic}, expected 2049 or 2051)")
