"""A confusion matrix with class names: rows are true classes, columns predictions, the diagonal bold. Its
cells are a cursor's stops: the line under it names the cell, and enter asks for that cell's test examples."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Static

from seqtui.common.text import inert, plural


class ConfusionTable(DataTable):
    """Scrolls both ways, so 46 Reuters topics fit as well as 2 sentiment classes. The diagonal is bold and
    underlined, large off-diagonal shares reversed: it reads without colour. The cursor stops on the counts
    only (never on the class names of the first column, which stays in view when the table scrolls)."""

    DEFAULT_CSS = """
    ConfusionTable { height: auto; max-height: 24; }
    """
    NAMED_COLUMNS = 6
    """Up to this many classes the columns carry class names; beyond, their numbers (the rows say which
    number is which), so 19 classes fit 80 columns."""

    class CellChosen(Message):
        """Enter (or a click) on a count: the test examples of that (true, predicted) pair are wanted."""

        def __init__(self, table: ConfusionTable, true: int, predicted: int) -> None:
            super().__init__()
            self.table, self.true, self.predicted = table, true, predicted

        @property
        def control(self) -> ConfusionTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", fixed_columns=1)
        self.matrix: list[list[int]] = []
        self.names: list[str] = []

    def show(self, matrix: list[list[int]], class_names: list[str]) -> None:
        self.clear(columns=True)
        n = len(matrix)
        names = [inert(class_names[i], keep="") if i < len(class_names) else str(i) for i in range(n)]
        self.matrix, self.names = matrix, names
        numbered = n > self.NAMED_COLUMNS
        self.add_column("true \\ predicted", key="true")
        for i, name in enumerate(names):
            self.add_column(Text(str(i) if numbered else name[:10]), key=f"p{i}")
        for i, row in enumerate(matrix):
            total = sum(row) or 1
            label = f"{i} {names[i][:14]}" if numbered and names[i] != str(i) else names[i][:16]
            cells: list[Text] = [Text(label, style="bold")]
            for j, count in enumerate(row):
                if i == j:
                    cells.append(Text(f"{count}" if numbered else f"[{count}]", style="bold underline"))
                else:
                    cells.append(
                        Text(str(count) if count else ".", style="" if count / total < 0.2 else "reverse")
                    )
            self.add_row(*cells, key=f"t{i}")
        self.move_cursor(row=self._worst()[0], column=self._worst()[1] + 1, animate=False)

    def clear(self, columns: bool = False) -> ConfusionTable:
        if columns:
            self.matrix, self.names = [], []
            if isinstance(self.parent, ConfusionMatrix):
                self.parent.caption(Text(""))
        super().clear(columns)
        return self

    def _worst(self) -> tuple[int, int]:
        """The largest off-diagonal count (the model's commonest confusion), else the first cell."""
        cells = [
            (count, -i, -j) for i, row in enumerate(self.matrix) for j, count in enumerate(row) if i != j
        ]
        count, i, j = max(cells, default=(0, 0, 0))
        return (-i, -j) if count else (0, 0)

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        row, column = super().validate_cursor_coordinate(value)
        return Coordinate(row, max(column, 1) if len(self.columns) > 1 else column)

    @property
    def cell(self) -> tuple[int, int] | None:
        """(true, predicted) under the cursor; None while the table is empty."""
        if not self.matrix:
            return None
        row, column = self.cursor_coordinate
        return row, column - 1

    def describe(self) -> Text:
        """The cell under the cursor in words, for the line under the table."""
        if self.cell is None:
            return Text("")
        t, p = self.cell
        count, total = self.matrix[t][p], sum(self.matrix[t])
        share = (
            f" ({count / total:.0%} of {plural(total, 'test example')} of {self.names[t]})" if total else ""
        )
        verb = "right" if t == p else "predicted"
        return Text.assemble(
            (f"true {self.names[t]}", "bold"), f" · {verb} {self.names[p]}: ", (f"{count:,}", "bold"), share,
            ("  enter lists them" if count else "", "italic"),
        )  # fmt: skip

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.cell is not None and event.coordinate.column > 0:
            self.post_message(self.CellChosen(self, *self.cell))


class ConfusionMatrix(Vertical):
    """The table, and one line under it that names the cell under the cursor."""

    DEFAULT_CSS = """
    ConfusionMatrix { height: auto; }
    ConfusionMatrix > .confusion-cell { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *, table_id: str = "confusion", id: str | None = None) -> None:
        super().__init__(id=id)
        self.table_id = table_id

    def compose(self) -> ComposeResult:
        yield ConfusionTable(id=self.table_id)
        yield Static("", markup=False, classes="confusion-cell")

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.caption(self.query_one(ConfusionTable).describe())

    def caption(self, text: Text) -> None:
        self.query_one(".confusion-cell", Static).update(text)
