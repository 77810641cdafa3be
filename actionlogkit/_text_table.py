"""Plain-text tables, as the command line, the demo and the test kit's messages print records."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["text_table"]


def _cell(value: object, width: int, none: str) -> str:
    text = none if value is None else " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    cell_width: int = 36,
    none: str = "",
    rule: bool = False,
) -> list[str]:
    """The lines of a table: a header, a line of dashes under it with ``rule``, then the rows.

    Cells are one line each (whitespace collapsed), cut at ``cell_width`` characters with "…";
    ``None`` shows as ``none``. Columns whose values are all numbers are aligned right.
    """
    cells = [[_cell(value, cell_width, none) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows)
        and all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool) for row in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str], align: Sequence[bool]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(headers, numeric)]
    if rule:
        lines.append(line(["-" * width for width in widths], numeric))
    lines.extend(line(row, numeric) for row in cells)
    return lines
