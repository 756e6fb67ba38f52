"""The data part of a `train.py` for a run on the user's own images (`--data FOLDER`): a folder of class
sub-folders of images, read as `seqtui.datasets.image_folders` reads it (the same class order, greyscale,
transparency flattened onto paper, large images scaled down first, resized to 28x28 with Lanczos, the
`split_seed` splits), or a folder of the four gzipped idx files of Fashion-MNIST, read as
`seqtui.datasets.keras_sets.load_fashion_mnist` reads it.

The images are decoded with Pillow, which Keras' own `keras.utils.load_img` needs too; `load_img` itself is
not used: it keeps a 16-bit image's values, drops transparency instead of flattening it, and resizes a large
image in one step, so its pixels would differ from seqtui's for some images.
"""

from __future__ import annotations

from pathlib import Path

from seqtui.core.runs.script_parts import Config, DataReader
from seqtui.core.runs.script_parts import quoted as _q

IMAGE_DATASETS = ("file", "fashion-mnist")
"""The datasets a run on an image folder of the user's records: "file", or Fashion-MNIST read from --data."""


def _folder(config: Config) -> Path:
    return Path(str(config["data"]["data_path"])).expanduser()


def is_image_folder_run(config: Config) -> bool:
    """Whether the run classified images read from a folder of the user's (not from a Keras .npz file)."""
    data = config.get("data", {})
    if config.get("input_kind") != "image" or data.get("dataset") not in IMAGE_DATASETS:
        return False
    if not data.get("data_path"):
        return False
    path = _folder(config)  # a folder, or one gone since (a file such as mnist.npz has a suffix)
    return path.is_dir() or (not path.exists() and not path.suffix)


def _holds_idx_files(config: Config) -> bool:
    """Whether the run read Fashion-MNIST's idx files (seqtui reads a folder holding all four as them; one
    of them there is enough to say which are missing)."""
    from seqtui.datasets.keras_sets import FASHION_FILES

    folder = _folder(config)
    return config["data"]["dataset"] == "fashion-mnist" or any((folder / f).is_file() for f in FASHION_FILES)


def image_problem(config: Config) -> str | None:
    """Why a script can't read this run's images the way seqtui did, or None."""
    from seqtui.datasets.keras_sets import FASHION_FILES

    folder = _folder(config)
    if not folder.is_dir():
        return f"the run's data {folder} is no longer there to read (a folder of images)"
    if _holds_idx_files(config):
        missing = [f for f in FASHION_FILES if not (folder / f).is_file()]
        return f"{folder} no longer holds {', '.join(missing)}" if missing else None
    return _class_problem(folder, config)


def _class_problem(folder: Path, config: Config) -> str | None:
    from seqtui.common.names import clean_name
    from seqtui.datasets.image_folders import class_folders

    names = list(class_folders(folder))
    recorded = list(config.get("class_names") or [])
    now = [clean_name(name) or f"class {i}" for i, name in enumerate(names)]
    if now != recorded:
        return (
            f"the class folders of {folder} are now {', '.join(now)[:200] or 'none'}, not the run's "
            f"{', '.join(map(str, recorded))[:200]}"
        )
    for name in names:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            return f"the class folder {clean_name(name)!r} of {folder} has a name that is not UTF-8"
    return None


def image_section(config: Config) -> str:
    """The constants, the reader and `load_data(folder)` of an image run."""
    return _idx_section(config) if _holds_idx_files(config) else _folders_section(config)


def _idx_section(config: Config) -> str:
    from seqtui.datasets.keras_sets import FASHION_FILES

    folder = _folder(config).resolve()
    return f'''DATA = Path({_q(str(folder))})  # the four idx files; --data FOLDER reads another such folder
FILES = {list(FASHION_FILES)!r}


def read_idx(path):
    """A gzipped idx file: labels (magic 2049, an 8-byte header) or images (magic 2051, a 16-byte header
    with their count, rows and columns, big-endian), one byte per value."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    if int.from_bytes(raw[:4], "big") == 2049:
        return np.frombuffer(raw, np.uint8, offset=8)
    n, rows, cols = (int.from_bytes(raw[i : i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows, cols)


def load_data(folder=DATA):
    """Fashion-MNIST from its idx files, scaled to [0, 1]; VALIDATION_SPLIT of the training images held
    out for validation."""
    y_train, x_train, y_test, x_test = (read_idx(Path(folder) / name) for name in FILES)
    x_train = (x_train.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_test = (x_test.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_train, y_train, x_val, y_val = shuffled_split(x_train, y_train.astype("int32"), VALIDATION_SPLIT, 0)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test.astype("int32"))'''


def _folders_section(config: Config) -> str:
    from seqtui.datasets.image_folders import class_folders
    from seqtui.datasets.images import IMAGE_SUFFIXES, MAX_SIDE, SIDE

    folder = _folder(config).resolve()
    names = ", ".join(_q(name) for name in class_folders(folder))
    return f"""DATA = Path({_q(str(folder))})  # one sub-folder of images per class; --data FOLDER reads another
FOLDERS = [{names}]  # the classes, in order
IMAGE_SUFFIXES = {IMAGE_SUFFIXES!r}
SIDE = {SIDE!r}  # every image is read as SIDE x SIDE greyscale
LARGEST = {MAX_SIDE!r}  # a larger image is first scaled down to fit LARGEST x LARGEST
SPLIT_SEED = {config["data"]["split_seed"]!r}


{_FOLDER_CODE}"""


_FOLDER_CODE = '''def class_folders(folder):
    """Each sub-folder that holds images (hidden ones left out), by name, with its image files by name."""
    found = {}
    for sub in sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith(".")):
        images = sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if images:
            found[sub.name] = images
    return found


def on_paper(img):
    """An image with transparency as greyscale, flattened onto paper of the opposite shade to its strokes:
    a black digit on a transparent background becomes black on white."""
    rgba = img.convert("RGBA")
    alpha = np.asarray(rgba.getchannel("A"), dtype="float32") / 255.0
    grey = np.asarray(rgba.convert("L"), dtype="float32")
    if alpha.min() >= 1.0:
        return grey.astype("uint8")
    ink = float((grey * alpha).sum() / max(float(alpha.sum()), 1e-6))
    paper = 0.0 if ink > 127 else 255.0
    return np.clip(grey * alpha + paper * (1.0 - alpha), 0, 255).astype("uint8")


def read_image(path):
    """One image as SIDE x SIDE greyscale uint8: scaled down to LARGEST first when larger (a JPEG decodes
    straight at a smaller size), transparency flattened, then resized with Lanczos; never inverted."""
    from PIL import Image  # Pillow, which keras.utils.load_img reads images with too

    with Image.open(path) as img:
        img.draft("RGB" if img.mode not in ("L", "LA") else "L", (LARGEST, LARGEST))
        img.thumbnail((LARGEST, LARGEST), Image.Resampling.LANCZOS)
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            pixels = on_paper(img)
        else:
            pixels = np.asarray(img.convert("L"), dtype="uint8")
    if pixels.shape != (SIDE, SIDE):
        small = Image.fromarray(pixels).resize((SIDE, SIDE), Image.Resampling.LANCZOS)
        pixels = np.asarray(small, dtype="uint8")
    return pixels


def load_data(folder=DATA):
    """Every image scaled to [0, 1] with its class; a shuffled TEST_SPLIT of them for testing, a shuffled
    VALIDATION_SPLIT of the rest for validation (seeded by SPLIT_SEED)."""
    classes = class_folders(folder)
    if list(classes) != FOLDERS:
        raise SystemExit(f"{folder}: its class folders are {list(classes)}, not the run's {FOLDERS}")
    x = np.stack([read_image(path) for paths in classes.values() for path in paths])
    y = np.array([i for i, paths in enumerate(classes.values()) for _ in paths], dtype="int32")
    x = (x.astype("float32") / 255.0).reshape(-1, SIDE, SIDE, 1)
    x_rest, y_rest, x_test, y_test = shuffled_split(x, y, TEST_SPLIT, SPLIT_SEED)
    x_train, y_train, x_val, y_val = shuffled_split(x_rest, y_rest, VALIDATION_SPLIT, SPLIT_SEED + 1)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)'''


def _imports(config: Config) -> tuple[str, ...]:
    return ("gzip",) if _holds_idx_files(config) else ()


IMAGES_READER = DataReader(
    what="your images (a folder of class sub-folders, or Fashion-MNIST's idx files)",
    claims=is_image_folder_run,
    section=image_section,
    imports=_imports,
    problem=image_problem,
    takes_file=is_image_folder_run,
)
