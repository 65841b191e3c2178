"""QtCharts helpers: one themed chart view that shows bars, stacked bars or a pie, or "No data yet"."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.widgets import palette


def nice_max(v: float) -> float:
    """A round axis maximum at or above `v` (1, 2, 2.5, 5 x 10^n)."""
    if v <= 0:
        return 1.0
    import math

    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


class ChartView(QChartView):
    """A chart that follows the palette; call `set_bars`, `set_pie` or `set_empty`."""

    def __init__(self, title: str = "", parent: QWidget | None = None, height: int = 220) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(240)
        self.title = title
        self.kind = "empty"
        self.categories: list[str] = []
        self.values: dict[str, list[float]] = {}
        self.set_empty()

    # ---- styling ----
    def _new_chart(self) -> QChart:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundBrush(QBrush(palette.card_color()))
        chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.layout().setContentsMargins(0, 0, 0, 0)
        if self.title:
            f = QFont(self.font())
            f.setBold(True)
            chart.setTitleFont(f)
            chart.setTitleBrush(QBrush(palette.text_color()))
            chart.setTitle(self.title)
        legend = chart.legend()
        legend.setLabelColor(palette.text_color())
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setFont(self._small_font())
        return chart

    def _small_font(self) -> QFont:
        f = QFont(self.font())
        if f.pointSizeF() > 0:
            f.setPointSizeF(max(7.5, f.pointSizeF() * 0.85))
        return f

    def _style_axis(self, axis) -> None:
        axis.setLabelsColor(palette.muted_color())
        axis.setLinePen(QPen(palette.border_color()))
        axis.setGridLineColor(palette.border_color())
        axis.setLabelsFont(self._small_font())

    def _install(self, chart: QChart) -> None:
        old = self.chart()
        self.setChart(chart)
        self.setBackgroundBrush(QBrush(palette.card_color()))
        if old is not None and old is not chart:
            old.deleteLater()

    # ---- content ----
    def set_empty(self, text: str = "No data yet") -> None:
        """Show an empty chart with a centred note."""
        chart = self._new_chart()
        chart.legend().hide()
        self.kind = "empty"
        self.categories, self.values = [], {}
        self._install(chart)
        self._empty_text = text
        self.viewport().update()

    def set_bars(
        self,
        categories: list[str],
        series: dict[str, list[float]],
        *,
        money: bool = False,
        horizontal: bool = False,
        stacked: bool = False,
        label_every: int = 1,
        colors: list[QColor] | None = None,
        unit: str = "",
        max_value: float | None = None,
    ) -> None:
        """Bars per category, one set per entry of `series` (values aligned with categories)."""
        if not categories or not series or not any(any(v for v in vals) for vals in series.values()):
            self.set_empty()
            return
        chart = self._new_chart()
        if horizontal:
            s = QHorizontalBarSeries()
        elif stacked:
            s = QStackedBarSeries()
        else:
            s = QBarSeries()
        top = 0.0
        for i, (name, vals) in enumerate(series.items()):
            bs = QBarSet(name)
            bs.append([float(v or 0.0) for v in vals])
            c = colors[i] if colors and i < len(colors) else palette.series_color(i)
            bs.setColor(c)
            bs.setBorderColor(c)
            s.append(bs)
            top = max(top, max((float(v or 0) for v in vals), default=0.0))
        if stacked:
            top = max(sum(float(vals[j] or 0) for vals in series.values()) for j in range(len(categories)))
        s.setBarWidth(0.7)
        chart.addSeries(s)
        if label_every > 1:  # sparse labels: a category axis with labels on chosen positions
            cat_axis = QCategoryAxis()
            cat_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
            cat_axis.setRange(-0.5, len(categories) - 0.5)
            for j in range(0, len(categories), label_every):
                cat_axis.append(categories[j], j)
        else:
            cat_axis = QBarCategoryAxis()
            cat_axis.append(list(categories))
        val_axis = QValueAxis()
        hi = max_value if max_value is not None else nice_max(top)
        val_axis.setRange(0, hi)
        val_axis.setTickCount(int(hi) + 1 if max_value is not None and hi <= 10 else 5)
        val_axis.setLabelFormat("$%.2f" if money else ("%.0f" + unit if hi >= 5 else "%.1f" + unit))
        self._style_axis(cat_axis)
        self._style_axis(val_axis)
        cat_axis.setGridLineVisible(False)
        if horizontal:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(val_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(val_axis, Qt.AlignmentFlag.AlignLeft)
        s.attachAxis(cat_axis)
        s.attachAxis(val_axis)
        chart.legend().setVisible(len(series) > 1)
        self.kind = "bars"
        self.categories = list(categories)
        self.values = {k: list(v) for k, v in series.items()}
        self._install(chart)

    def set_pie(self, slices: list[tuple[str, float]], *, max_slices: int = 7) -> None:
        """A donut of `slices` (label, value); small ones fold into "Other"."""
        slices = [(k, float(v)) for k, v in slices if v and v > 0]
        if not slices:
            self.set_empty()
            return
        slices.sort(key=lambda kv: kv[1], reverse=True)
        if len(slices) > max_slices:
            rest = sum(v for _, v in slices[max_slices - 1 :])
            slices = slices[: max_slices - 1] + [("Other", rest)]
        total = sum(v for _, v in slices)
        chart = self._new_chart()
        pie = QPieSeries()
        pie.setHoleSize(0.5)
        pie.setPieSize(0.85)
        for i, (label, value) in enumerate(slices):
            short = label if len(label) <= 18 else label[:17] + "…"
            sl = pie.append(f"{short}  {value / total * 100:.0f}%", value)
            sl.setColor(palette.series_color(i))
            sl.setBorderColor(palette.card_color())
        chart.addSeries(pie)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.legend().setMinimumWidth(min(220, max(120, self.width() * 0.45)))
        chart.legend().setVisible(True)
        self.kind = "pie"
        self.categories = [k for k, _ in slices]
        self.values = {"share": [v for _, v in slices]}
        self._install(chart)

    def drawForeground(self, painter: QPainter, rect) -> None:
        """Write the empty-state note over an empty chart."""
        super().drawForeground(painter, rect)
        if self.kind == "empty":
            painter.save()
            painter.setPen(palette.muted_color())
            painter.drawText(self.chart().plotArea(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.restore()
