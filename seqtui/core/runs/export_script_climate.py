"""The data part of a `train.py` for a run on the lessons' weather series: Keras' Jena climate CSV (downloaded
once through `keras.utils.get_file` into Keras' cache and unzipped beside it, as
`seqtui.datasets.keras_sets.load_jena` reads it) and the offline Seattle temperatures (vega_datasets' CSV,
found without importing the package, as `seqtui.datasets.samples.load_seattle_temps` reads it).

Both are read by the series reader of `export_script_series` (its time order, gaps, normalisation and windows);
only where the file comes from is written here.
"""

from __future__ import annotations

from pathlib import Path

from seqtui.core.runs.export_script_series import (
    SERIES_IMPORTS,
    SeriesTable,
    data_config,
    series_code,
    series_constants,
    table_problem,
)
from seqtui.core.runs.script_parts import Config, DataReader
from seqtui.core.runs.script_parts import quoted as _q

JENA = "jena-climate"
SEATTLE = "seattle-temps"
JENA_TARGET = "T (degC)"
"""What the Jena lesson forecasts unless --target-column names another column."""
SEATTLE_CSV = ("_data", "seattle-temps.csv")
"""Where vega_datasets keeps the Seattle temperatures, inside the package."""


def _claims(config: Config) -> bool:
    return (
        config.get("data", {}).get("dataset") in (JENA, SEATTLE)
        and config.get("input_kind") == "series"
        and config.get("task") == "regression"
    )


def _jena_cached() -> Path:
    from seqtui.common.paths import keras_home
    from seqtui.datasets.registry import DATASETS

    return keras_home() / "datasets" / DATASETS[JENA].cache_files[0]


def _seattle_csv() -> Path | None:
    from seqtui.datasets.registry import DATASETS, package_root

    root = package_root(DATASETS[SEATTLE].module)
    return root.joinpath(*SEATTLE_CSV) if root else None


def _table(config: Config) -> SeriesTable | str:
    """The table seqtui read for the run, or why it isn't here to read at export."""
    from seqtui.datasets.row_limits import series_rows

    data = data_config(config["data"])
    if data.dataset == SEATTLE:  # read whole, in its package's encoding; --limit cuts the windows after
        path = _seattle_csv()
        if path is None or not path.is_file():
            return (
                "the Seattle temperatures come with vega_datasets, which is not installed here to read them"
            )
        return SeriesTable(path)
    path = Path(data.data_path).expanduser() if data.data_path else _jena_cached()
    if not data.data_path and not path.is_file():
        return (
            f"Keras' copy of the Jena climate CSV is not in its cache ({path}) to read at export; "
            "`seqtui datasets fetch jena-climate` puts it there"
        )
    return SeriesTable(path, data.encoding, series_rows(data), data.target_column, JENA_TARGET)


def _problem(config: Config) -> str | None:
    table = _table(config)
    return table if isinstance(table, str) else table_problem(table)


def _jena(table: SeriesTable, own_copy: bool) -> str:
    from seqtui.datasets.keras_sets import JENA_URL

    data = f"Path({_q(str(table.path.resolve()))})  # the run's copy" if own_copy else "None  # Keras' copy"
    return f'''JENA_URL = {_q(JENA_URL)}
DATA = {data} of the Jena climate CSV; --data PATH reads another with these columns


def jena_csv():
    """The Jena climate CSV in Keras' cache ($KERAS_HOME, else ~/.keras: datasets/), as seqtui reads it;
    else Keras' zip of it, downloaded there once by keras.utils.get_file and unzipped beside it."""
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    cached = home / "datasets" / {_q(_jena_cached().name)}
    if cached.exists():
        return cached
    zipped = Path(keras.utils.get_file({_q(_jena_cached().name + ".zip")}, JENA_URL))
    csv_path = zipped.with_suffix("")
    if not csv_path.exists():
        part = csv_path.with_name(csv_path.name + ".part")  # renamed when whole: never half a CSV
        with zipfile.ZipFile(zipped) as zf, zf.open(csv_path.name) as member, open(part, "wb") as out:
            shutil.copyfileobj(member, out)
        part.replace(csv_path)
    return csv_path'''


def _seattle() -> str:
    folder, name = SEATTLE_CSV
    return f'''DATA = None  # vega_datasets' CSV


def seattle_csv():
    """vega_datasets' Seattle hourly temperatures of 2010 (°F), the CSV the package ships (found without
    importing the package)."""
    spec = importlib.util.find_spec("vega_datasets")
    if spec is None:
        raise SystemExit("the Seattle temperatures come with the vega_datasets package: pip install vega_datasets")
    return Path(next(iter(spec.submodule_search_locations))) / {_q(folder)} / {_q(name)}'''


def _section(config: Config) -> str:
    table = _table(config)
    if isinstance(table, str):  # check_scriptable refused it already
        raise ValueError(table)
    jena = config["data"]["dataset"] == JENA
    where = "path or jena_csv()" if jena else "path or seattle_csv()"
    finder = _jena(table, bool(config["data"].get("data_path"))) if jena else _seattle()
    return f"{finder}\n\n\n{series_constants(table)}\n\n\n{series_code(where)}"


def _imports(config: Config) -> tuple[str, ...]:
    extra = ("os", "shutil", "zipfile") if config["data"]["dataset"] == JENA else ("importlib.util",)
    return (*SERIES_IMPORTS, *extra)


def _takes_file(config: Config) -> bool:
    """Jena's loader reads the user's copy of the CSV (--data); the Seattle loader reads the package's only."""
    return _claims(config) and config["data"]["dataset"] == JENA


CLIMATE_READER = DataReader(
    what="Keras' Jena climate CSV and the offline Seattle temperatures",
    claims=_claims,
    section=_section,
    imports=_imports,
    problem=_problem,
    takes_file=_takes_file,
)
"""Runs on the lessons' weather series."""
