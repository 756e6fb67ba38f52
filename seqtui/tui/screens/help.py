"""The help screen: every key, per screen, and what each screen is for."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# seqtui keys

*Close this help with `Esc`, `q` or `F1`.*

**Everywhere**: `F1` or `?` this help · `F2` Setup · `F3` Train · `F4` Predict · `F5` Runs · `F6` Compare ·
`F7` Sweep (also `1`-`6` outside Setup, whose fields take digits) · `Ctrl+P` commands · `Tab`/`Shift+Tab` move between fields ·
`q` or `Ctrl+Q` quit (asks first while a model is training; in a text field `q` is a letter, `Ctrl+Q` quits).
The footer shows the keys of the screen and the focused field; this help lists them all, per screen.

{keys:app}

## Setup
{keys:setup}

Pick a **preset** (a starting point from the lessons), a **dataset** (arrows in the list; its status
says whether it is cached, offline, or needs a download) and an **architecture**, then adjust the
numbers. The fields follow the architecture and the data: conv filters, kernel, pool and dense units
for the CNNs, lookback, step and delay for a series; a field the model doesn't read says so. Problems
show beside each field as you type (the CLI's checks). The model summary shows each layer's output
shape and parameters, and each layer's arithmetic from the Input row on, e.g. SimpleRNN
`(features + units) x units + units`, Embedding `vocab x dim`, Conv `kernel x in_channels x filters +
filters`. Run name (`--name`) and notify (`--notify`, a command or webhook told when the run ends).
`Ctrl+S` start training · `Ctrl+G` fetch the highlighted dataset (needs internet) · `Ctrl+L` find a
learning rate (the range test; `y` puts its suggestion in the field) · `Ctrl+O` (or `z` outside a text
field) the model summary and its arithmetic fill the screen (again: back).

## Train
{keys:train}

Live loss and accuracy (MAE for forecasting) per epoch, train against validation: the best epoch is
marked; when validation loss rises while training loss falls, the model is overfitting.
Charts redraw at most twice a second (less often when drawing is slow); the progress line follows the
batch events, at most 5 a second (SEQTUI_BATCH_EVENTS_PER_S).
`s` stop after the current batch (the model is kept) · `l` log / results · `p` try the model ·
`m` smooth the curves · `y` log-scale y axis · `z` the charts fill the screen (again: back). Under 96 columns
one chart shows at a time, full width: `a` swaps loss and accuracy. A vertical line marks the best epoch,
another where early stopping ended the run. The resource line shows this process's CPU and memory (and the GPU's, if any).
`x` the confusion matrix's cells: arrows move over the counts (the line under it names the cell),
`Enter` lists that cell's test examples, most confident first; `Enter` on one opens it on Predict.

## Predict
{keys:predict}

Text models: type a sentence; the bars update as you type and the tokens line shows what the model saw
(`?word` = unknown, `[pad 0 xN]` = padding, `[cut N]` = truncated by maxlen).
Digit models: draw with the mouse, or with the keyboard: arrows move (Shift: 4 pixels), `Space` pen
down/up, `c` clear. Forecasting: the forecast against the real series (`[` and `]` scroll). Generation: a seed and a
temperature (0 = always the likeliest word), `Enter` to generate.
`h` why: for text, each token coloured by how much it pushed the answer, with the class probability after
each token; for a digit, a heat map of the pixels that decided it instead of the preview (under 96 columns
in the canvas's place, so the class bars keep their width; `h` again brings the canvas back).
Inside a text model (the same key again closes the view; they work while you type):
`Ctrl+T` the hidden state of each recurrent layer, tokens as columns, the units that change most as rows ·
`Ctrl+G` the gates per token (mean over units, share saturated above 0.9 or below 0.1) and what they do ·
`Ctrl+R` the gradient of the answer by each token's embedding, under the prefix curve: how far back it
reaches · `Ctrl+N` the nearest words of a word you type (Enter) · `PgUp`/`PgDn` more token columns.
In the states view `Ctrl+↓`/`Ctrl+↑` select a unit: its h_t and gates per token and the validation fragments
where it peaks · `Ctrl+O` the most frequent words on the embedding's PCA plane, marked by class · on a
digit model `m` the feature maps after each Conv2D and pooling layer, redrawn as you draw.
A model without the layer a view needs (gates on a CNN) says which views it has. Colours diverge around 0
with a legend; with NO_COLOR the cells are glyphs ▁ (low) .. █ (high). See docs/inspect.md.

## Runs
{keys:runs}

`Enter` or `p` predict with the run (`Enter` on a running run opens its live view: the Train view fed
from its events.jsonl, the trainer's CPU and memory, `s` asks its process to stop as Ctrl+C would, `Esc`
back; `seqtui watch RUN` opens the same view; running runs refresh by themselves every 2 s) ·
`c` continue training it · `Space` mark runs to compare (any
number; the `cmp` column numbers them): their curves share one chart, named in its legend · `t` validation
or training loss · `w` by epoch or by training time (seconds, summed over resumes; runs older than that
column are named in the title) · `v` the chart or their settings side by side (≠ marks the ones that differ) ·
`r` reload the list · `m` the run's confusion matrix on its test split, from its saved model (its cells
open as on Train; forecasters have none).

## Compare
{keys:compare}

Presets (one, or several of one dataset) and the settings to vary (`arch=lstm,gru maxlen=10,20`);
`Enter` in a field or `Ctrl+S` start · `s` stop after the current batch · `o` open the selected finished run ·
`z` the curves fill the screen.

## Sweep
{keys:sweep}

An Optuna search of a preset's settings (`units=32..256,dropout=0..0.5 epochs=3`) for so many trials,
shared with `seqtui sweep` on the same preset; `Enter` in a field or `Ctrl+S` start · `s` stop · `o` open the
selected trial's run. Under the fields it shows the space it will search: the settings you named, then the
defaults it adds for the others (with their ranges). When every trial scores about the majority-class accuracy
it says so: the model learned nothing.
"""


KEY_NAMES = {
    "question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]",
    "space": "Space", "escape": "Esc", "enter": "Enter", "pageup": "PgUp", "pagedown": "PgDn",
    "delete": "Del", "backspace": "Backspace", "up": "↑", "down": "↓", "left": "←", "right": "→",
}  # fmt: skip


def key_name(key: str) -> str:
    """'ctrl+s' -> 'Ctrl+S', 'f2' -> 'F2', 'slash' -> '/', 's' -> 's': as the help and README write keys."""
    *mods, last = key.split("+")
    if last in KEY_NAMES:
        last = KEY_NAMES[last]
    elif (last[0] == "f" and last[1:].isdigit()) or (mods and len(last) == 1):
        last = last.upper()
    return "+".join([m.title() for m in mods] + [last])


def key_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) per description, in the order bound: `F2` and `1` both say Setup, one row."""
    rows: dict[str, list[str]] = {}
    for binding in bindings:
        what = binding.description or binding.action
        if binding.tooltip:
            what += f" ({binding.tooltip})"
        keys = rows.setdefault(what, [])
        keys += [
            f"`{key_name(k.strip())}`"
            for k in binding.key.split(",")
            if f"`{key_name(k.strip())}`" not in keys
        ]
    return [(" ".join(keys), what) for what, keys in rows.items()]


def key_table(bindings: Iterable[Binding]) -> str:
    rows = key_rows(bindings)
    return "\n".join(["| key | what it does |", "|---|---|", *(f"| {k} | {w} |" for k, w in rows)])


def screen_bindings() -> dict[str, list[Binding]]:
    """Each screen's own keys, read from its class (and its widgets' keys), so the help can't drift from them."""
    from seqtui.tui.screens.compare import CompareScreen
    from seqtui.tui.screens.predict import PredictScreen
    from seqtui.tui.screens.runs import RunsScreen
    from seqtui.tui.screens.setup import SetupScreen
    from seqtui.tui.screens.sweep import SweepScreen
    from seqtui.tui.screens.train import TrainScreen
    from seqtui.tui.widgets.digit_canvas import DigitCanvas

    def own(*classes: type) -> list[Binding]:
        return [b for c in classes for b in c.BINDINGS if isinstance(b, Binding)]

    return {
        "setup": own(SetupScreen),
        "train": own(TrainScreen),
        "predict": own(PredictScreen, DigitCanvas),
        "runs": own(RunsScreen),
        "compare": own(CompareScreen),
        "sweep": own(SweepScreen),
    }


def help_text(app_bindings: Iterable[Binding]) -> str:
    """HELP with a key table under each heading, generated from the app's and each screen's BINDINGS."""
    text = HELP.replace("{keys:app}", key_table(b for b in app_bindings if isinstance(b, Binding)))
    for name, bindings in screen_bindings().items():
        text = text.replace(f"{{keys:{name}}}", key_table(bindings))
    return text


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def __init__(self, app_bindings: Iterable[Binding] = ()) -> None:
        super().__init__()
        self.text = help_text(app_bindings)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
