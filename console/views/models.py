"""Item-model pieces shared by the panes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtWidgets import QTableView

Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel):
    """A flat table over ``self.rows`` with fixed column ``self.headers``; subclasses provide ``data``."""

    rows: list[Any]
    headers: list[str]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def replace(self, rows: list[Any]) -> None:
        """All rows at once (a reset: these tables hold a page at most)."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


def visible_rows(view: QTableView, area: QRect) -> range:
    """The model rows a paint of ``area`` (viewport coordinates) covers: empty when none (the row-cached
    tables paint these themselves)."""
    n = view.model().rowCount()
    first = view.rowAt(area.top()) if n else -1
    if first < 0:
        return range(0)
    last = view.rowAt(area.bottom())
    return range(first, (last if last >= 0 else n - 1) + 1)
