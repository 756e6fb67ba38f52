"""The help screen: every key, per screen, and what each screen is for."""

from __future__ import annotations

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
`q` or `Ctrl+Q` quit (asks first while a model is training).

## Setup
Pick a **preset** (a starting point from the lessons), a **dataset** (arrows in the list; its status
says whether it is cached, offline, or needs a download) and an **architecture**, then adjust the
numbers. Problems show beside each field as you type. The model summary shows each layer's output
shape and parameters, and the recurrent layer's arithmetic, e.g. SimpleRNN
`(features + units) x units + units`.
`Ctrl+S` start training · `Ctrl+G` fetch the highlighted dataset (needs internet).

## Train
Live loss and accuracy (MAE for forecasting) per epoch, train against validation: the best epoch is
marked; when validation loss rises while training loss falls, the model is overfitting.
Charts redraw at most twice a second (less often when drawing is slow); the progress line follows the
batch events, at most 5 a second (SEQTUI_BATCH_EVENTS_PER_S).
`s` stop after the current batch (the model is kept) · `l` log / results · `p` try the model ·
`m` smooth the curves · `y` log-scale y axis. A vertical line marks the best epoch, another where early
stopping ended the run. The resource line shows this process's CPU and memory (and the GPU's, if any).

## Predict
Text models: type a sentence; the bars update as you type and the tokens line shows what the model saw
(`?word` = unknown, `[pad 0 xN]` = padding, `[cut N]` = truncated by maxlen).
Digit models: draw with the mouse, or with the keyboard: arrows move (Shift: 4 pixels), `Space` pen
down/up, `c` clear. Forecasting: the forecast against the real series (`[` and `]` scroll). Generation: a seed and a
temperature (0 = always the likeliest word), `Enter` to generate.
`h` why: for text, each token coloured by how much it pushed the answer, with the class probability after
each token; for a digit, a heat map of the pixels that decided it instead of the preview.
Inside a text model (the same key again closes the view; they work while you type):
`Ctrl+T` the hidden state of each recurrent layer, tokens as columns, the units that change most as rows ·
`Ctrl+G` the gates per token (mean over units, share saturated above 0.9 or below 0.1) and what they do ·
`Ctrl+R` the gradient of the answer by each token's embedding, under the prefix curve: how far back it
reaches · `Ctrl+N` the nearest words of a word you type (Enter) · `PgUp`/`PgDn` more token columns.
A model without the layer a view needs (gates on a CNN) says which views it has. Colours diverge around 0
with a legend; with NO_COLOR the cells are glyphs ▁ (low) .. █ (high). See docs/inspect.md.

## Runs
`Enter` or `p` predict with the run · `c` continue training it · `Space` mark runs to compare (any
number; the `cmp` column numbers them): their curves share one chart, named in its legend · `t` validation
or training loss · `w` by epoch or by training time (seconds, summed over resumes; runs older than that
column are named in the title) · `v` the chart or their settings side by side (≠ marks the ones that differ) ·
`r` reload the list.

## Compare
Presets (one, or several of one dataset) and the settings to vary (`arch=lstm,gru maxlen=10,20`);
`Enter` start · `s` stop after the current batch · `o` open the selected finished run.

## Sweep
An Optuna search of a preset's settings (`units=32..256,dropout=0..0.5 epochs=3`) for so many trials,
shared with `seqtui sweep` on the same preset; `Enter` start · `s` stop · `o` open the selected trial's run.
"""


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)
