"""A confusion matrix with class names: rows are true classes, columns predictions, the diagonal bold."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable


class ConfusionTable(DataTable):
    """Scrolls both ways, so 46 Reuters topics fit as well as 2 sentiment classes."""

    DEFAULT_CSS = """
    ConfusionTable { height: auto; max-height: 16; }
    """

    def show(self, matrix: list[list[int]], class_names: list[str]) -> None:
        self.clear(columns=True)
        n = len(matrix)
        names = [class_names[i] if i < len(class_names) else str(i) for i in range(n)]
        self.add_column("true \\ predicted", key="true")
        for i, name in enumerate(names):
            self.add_column(Text(name[:10]), key=f"p{i}")
        for i, row in enumerate(matrix):
            total = sum(row) or 1
            cells: list[Text] = [Text(names[i][:16], style="bold")]
            for j, count in enumerate(row):
                if i == j:
                    cells.append(Text(f"[{count}]", style="bold"))
                else:
                    cells.append(
                        Text(str(count) if count else ".", style="" if count / total < 0.2 else "reverse")
                    )
            self.add_row(*cells, key=f"t{i}")
