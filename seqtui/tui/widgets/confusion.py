"""A confusion matrix with class names: rows are true classes, columns predictions, the diagonal bold."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable


class ConfusionTable(DataTable):
    """Scrolls both ways, so 46 Reuters topics fit as well as 2 sentiment classes. The diagonal is bold and
    underlined, large off-diagonal shares reversed: it reads without colour."""

    DEFAULT_CSS = """
    ConfusionTable { height: auto; max-height: 24; }
    """
    NAMED_COLUMNS = 6
    """Up to this many classes the columns carry class names; beyond, their numbers (the rows say which
    number is which), so 19 classes fit 80 columns."""

    def show(self, matrix: list[list[int]], class_names: list[str]) -> None:
        self.clear(columns=True)
        n = len(matrix)
        names = [class_names[i] if i < len(class_names) else str(i) for i in range(n)]
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
