"""Push composer (operators): compose with per-platform overrides, build the audience with a live count,
preview the notification as each platform shows it, watch the payload size, validate, test-send, send
(typed-size confirmation, two-person approval), schedules, and a live campaign report.

Layout: the form on the left; previews, size meters, forecast and problems in the middle; on the right
tabs for campaigns with their report chart, approvals (live from other consoles) and schedules.
Nothing here talks to JPush or the database: every action is a :class:`PushService` coroutine run by
the pane's :class:`TaskRunner`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import Changes
from console.errors import ConsoleError, InvalidInput
from console.services.push.campaigns import (
    Approval,
    AudienceCount,
    AudienceSpec,
    Campaign,
    CampaignReport,
    CheckResult,
    DraftInvalid,
    PushDraft,
    PushService,
    ScheduleRow,
    ScheduleSpec,
    Segment,
)
from console.services.push.jpush import BEIJING, SIZE_LIMITS
from console.views.feedback import MessageBar, describe
from console.views.models import RowsTableModel
from console.views.tasks import TaskRunner
from console.views.user_lookup import fmt_time

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
APP_NAME = "狮吼直播"
PLATFORM_NAMES = {"android": "Android", "ios": "iOS", "hmos": "HarmonyOS"}
STATE_NAMES = {"draft": "草稿", "awaiting_approval": "待审批", "approved": "已批准", "rejected": "已驳回",
               "sending": "发送中", "scheduled": "已定时", "done": "完成", "failed": "失败", "cancelled": "已取消"}
FIELD_NAMES = {"name": "活动名称", "title": "标题", "body": "正文", "audience": "受众", "tag": "标签", "tags": "标签",
               "tags_and": "标签(且)", "tags_not": "排除标签", "alias": "别名", "aliases": "别名",
               "registration_ids": "设备 ID", "extras": "附加字段 JSON", "badge": "角标", "time_to_live": "有效期",
               "platforms": "平台", "segment": "分群", "trigger": "定时", "schedule": "定时", "room": "直播间",
               "confirm_size": "确认人数", "reason": "原因", "sound": "铃声", "test_audience": "测试受众"}


def _split(text: str) -> tuple[str, ...]:
    """Comma, space or newline separated values (full-width commas too); blanks dropped."""
    parts = text.replace("，", ",").replace("\n", ",").replace(" ", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def aware(qdt: QDateTime) -> datetime:
    """A QDateTime (local time as shown) as an aware UTC datetime."""
    return datetime.fromtimestamp(qdt.toSecsSinceEpoch(), UTC)


def field_label(field: str) -> str:
    base = field.split(".")[0]
    return FIELD_NAMES.get(field, FIELD_NAMES.get(base, field))


# --- previews ------------------------------------------------------------------------------------------

class NotificationPreview(QWidget):
    """The notification as a platform shows it, drawn with QPainter: ``style`` "lock" (lock screen) or
    "banner" (heads-up banner over an app). Plain texts; no I/O."""

    def __init__(self, platform: str, style: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.platform, self.kind = platform, style
        self.title, self.body, self.subtitle = "", "", ""
        self.badge = ""
        self.setObjectName(f"preview_{platform}_{style}")
        self.setMinimumSize(170, 118)

    def set_content(self, title: str, body: str, subtitle: str = "", badge: str = "") -> None:
        self.title, self.body, self.subtitle, self.badge = title, body, subtitle, badge
        self.update()

    def _lines(self, fm: QFontMetrics, text: str, width: int, n: int) -> list[str]:
        """Word-wrapped (per character: CJK has no spaces) to ``n`` lines, the last one elided."""
        out: list[str] = []
        rest = text.replace("\n", " ")
        while rest and len(out) < n:
            if len(out) == n - 1:
                out.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
                break
            k = len(rest)
            while k > 1 and fm.horizontalAdvance(rest[:k]) > width:
                k = max(1, k * 9 // 10 if fm.horizontalAdvance(rest[:k]) > 2 * width else k - 1)
            out.append(rest[:k])
            rest = rest[k:]
        return out

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        # the screen behind the notification
        if self.kind == "lock":
            g = QLinearGradient(r.topLeft(), r.bottomRight())
            colors = {"ios": ("#1d2b64", "#5a3f8f"), "android": ("#0f3d3e", "#2e6f57"), "hmos": ("#17223b", "#3f5b8a")}
            c0, c1 = colors.get(self.platform, ("#222", "#555"))
            g.setColorAt(0, QColor(c0))
            g.setColorAt(1, QColor(c1))
            p.setBrush(g)
        else:
            p.setBrush(QColor("#eef0f3"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(r, 12, 12)
        small, bold, normal = QFont(self.font()), QFont(self.font()), QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.75))
        bold.setBold(True)
        y = r.top() + 6
        if self.kind == "lock":
            clock = QFont(self.font())
            clock.setPointSizeF(self.font().pointSizeF() * 1.8)
            clock.setWeight(QFont.Weight.Light)
            p.setFont(clock)
            p.setPen(QColor("white"))
            p.drawText(QRectF(r.left(), y, r.width(), 28), Qt.AlignmentFlag.AlignHCenter, "20:00")
            y += 32
        else:  # a strip of app content under the banner
            p.setBrush(QColor("#d5d9e0"))
            for k in range(3):
                p.drawRoundedRect(QRectF(r.left() + 10, r.bottom() - 14 - k * 12, r.width() - 20, 7), 3, 3)
        # the card
        card_h = min(r.bottom() - y - 4, 76.0)
        card = QRectF(r.left() + 6, y, r.width() - 12, card_h)
        radius = {"ios": 12.0, "android": 8.0, "hmos": 14.0}.get(self.platform, 8.0)
        if self.kind == "lock":
            p.setBrush(QColor(255, 255, 255, 215 if self.platform != "android" else 235))
        else:
            p.setBrush(QColor("white"))
            p.setPen(QPen(QColor("#c9ced6"), 1))
        path = QPainterPath()
        path.addRoundedRect(card, radius, radius)
        p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        # header: icon, app name, time
        icon = QRectF(card.left() + 7, card.top() + 6, 14, 14)
        p.setBrush(QColor("#ff5a1f"))
        p.drawRoundedRect(icon, 4 if self.platform == "ios" else 7, 4 if self.platform == "ios" else 7)
        p.setPen(QColor("#555"))
        p.setFont(small)
        when = "现在" if self.platform == "ios" else "刚刚"
        header = APP_NAME if self.platform == "ios" else f"{APP_NAME} · {when}"
        p.drawText(QRectF(icon.right() + 5, card.top() + 5, card.width() - 60, 16),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, header)
        if self.platform == "ios":
            p.drawText(QRectF(card.right() - 40, card.top() + 5, 34, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        if self.badge:
            p.setBrush(QColor("#e53935"))
            p.setPen(Qt.PenStyle.NoPen)
            b = QRectF(icon.right() - 5, icon.top() - 5, 12, 12)
            p.drawEllipse(b)
            p.setPen(QColor("white"))
            p.setFont(small)
            p.drawText(b, Qt.AlignmentFlag.AlignCenter, self.badge[:2])
        # title and body
        x, w = card.left() + 8, int(card.width() - 16)
        ty = card.top() + 23
        p.setPen(QColor("#111"))
        lines_left = 3 if self.kind == "lock" else 2
        if self.title:
            p.setFont(bold)
            fm = QFontMetrics(bold)
            p.drawText(QRectF(x, ty, w, fm.height()), Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(self.title, Qt.TextElideMode.ElideRight, w))
            ty += fm.height()
            lines_left -= 1
        if self.subtitle and self.platform == "ios":
            p.setFont(normal)
            fm = QFontMetrics(normal)
            p.drawText(QRectF(x, ty, w, fm.height()), Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(self.subtitle, Qt.TextElideMode.ElideRight, w))
            ty += fm.height()
            lines_left -= 1
        p.setFont(normal)
        fm = QFontMetrics(normal)
        p.setPen(QColor("#333"))
        for line in self._lines(fm, self.body or "", w, max(1, lines_left)):
            if ty + fm.height() > card.bottom():
                break
            p.drawText(QRectF(x, ty, w, fm.height()), Qt.AlignmentFlag.AlignLeft, line)
            ty += fm.height()
        p.end()


# --- tables --------------------------------------------------------------------------------------------

class CampaignModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Campaign] = []
        self.headers = [self.tr("编号"), self.tr("名称"), self.tr("状态"), self.tr("受众"), self.tr("推送"),
                        self.tr("到达人数"), self.tr("创建人"), self.tr("时间")]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        c = self.rows[index.row()]
        pushes = f"{c.pushes_done}/{c.batches_planned or '—'}" + (f" ({c.pushes_failed} 失败)" if c.pushes_failed else "")
        return (str(c.id), ("[测试] " if c.test and not c.name.startswith("[") else "") + c.name,
                STATE_NAMES.get(c.state, c.state), f"{c.audience_size:,}", pushes, f"{c.recipients:,}", c.created_by,
                fmt_time(c.created_at))[index.column()]



class ApprovalModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Approval] = []
        self.headers = [self.tr("编号"), self.tr("内容"), self.tr("人数"), self.tr("申请人"), self.tr("时间")]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        a = self.rows[index.row()]
        return (str(a.id), a.summary, f"{a.audience_size:,}", a.requested_by, fmt_time(a.requested_at))[index.column()]



def trigger_text(trigger: dict[str, Any]) -> str:
    single = trigger.get("single")
    if isinstance(single, dict):
        return f"{single.get('time', '')} (北京时间)"
    per = trigger.get("periodical")
    if isinstance(per, dict):
        unit = {"day": "天", "week": "周", "month": "月"}.get(str(per.get("time_unit", "")).lower(), "")
        pts = ",".join(per.get("point") or [])
        return f"每{per.get('frequency', 1)}{unit} {pts} {per.get('time', '')} · {per.get('start', '')[:10]}–{per.get('end', '')[:10]}"
    return json.dumps(trigger, ensure_ascii=False)


class ScheduleModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ScheduleRow] = []
        self.headers = [self.tr("编号"), self.tr("活动"), self.tr("类型"), self.tr("时间"), self.tr("状态"),
                        self.tr("创建人")]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        s = self.rows[index.row()]
        return (str(s.id), str(s.campaign_id), "一次" if s.kind == "once" else "周期", trigger_text(s.trigger),
                {"active": "生效", "cancelled": "已取消", "finished": "结束"}.get(s.state, s.state),
                s.created_by)[index.column()]



class ReportChart(QChartView):
    """Received and clicked per platform (bars), updated in place while a campaign runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pushReportChart")
        chart = QChart()
        chart.setTitle(self.tr("到达与点击（按平台）"))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.received = QBarSet(self.tr("到达"))
        self.clicked = QBarSet(self.tr("点击"))
        self.received.setColor(QColor("#3d7bd9"))
        self.clicked.setColor(QColor("#f39c12"))
        for _ in range(3):
            self.received.append(0)
            self.clicked.append(0)
        series = QBarSeries()
        series.append(self.received)
        series.append(self.clicked)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        self.axis_x = QBarCategoryAxis()
        self.axis_x.append(["Android", "iOS", "HarmonyOS"])
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%d")
        self.axis_y.setRange(0, 10)
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(self.axis_x)
        series.attachAxis(self.axis_y)
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)

    def show_report(self, report: CampaignReport) -> None:
        top = 10
        for i, pr in enumerate(report.platforms[:3]):
            self.received.replace(i, pr.received)
            self.clicked.replace(i, pr.clicked)
            top = max(top, pr.received, pr.clicked, pr.target)
        self.axis_y.setRange(0, top * 1.1)

    def values(self) -> dict[str, tuple[int, int]]:
        return {name: (int(self.received.at(i)), int(self.clicked.at(i)))
                for i, name in enumerate(("android", "ios", "hmos"))}


# --- the pane ------------------------------------------------------------------------------------------

class PushPane(QWidget):
    """Signals: loaded() after the lists are loaded; counted(object AudienceCount); checked(object
    CheckResult); sent(object Campaign) after a send/test/approval start; problems_shown(list)."""

    loaded = Signal()
    counted = Signal(object)
    checked = Signal(object)
    sent = Signal(object)
    problems_shown = Signal(list)
    report_shown = Signal(object)

    def __init__(self, push: PushService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pushPane")
        self._push = push
        self.tasks = TaskRunner(self)
        self._waiting_approval: set[int] = set()
        self._report_id: int | None = None
        self._last_count: AudienceCount | None = None
        outer = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        outer.addWidget(self.message_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.splitter, 1)
        self.splitter.addWidget(self._build_form())
        self.splitter.addWidget(self._build_middle())
        self.splitter.addWidget(self._build_tabs())
        self.splitter.setSizes([440, 400, 440])
        self.splitter.setStretchFactor(2, 1)
        self.tasks.failed.connect(self._on_failed)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(350)
        self._count_timer.timeout.connect(self.recount)
        self.timer = QTimer(self)  # report refresh while a campaign runs
        self.timer.setInterval(int(push.config.report_interval_s * 1000))
        self.timer.timeout.connect(self._tick_report)
        self._wire_live_updates()
        self.update_previews()
        self._audience_mode_changed()

    # --- building --------------------------------------------------------------------------------

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setPlaceholderText(placeholder)
        return e

    def _build_form(self) -> QWidget:
        form_host = QWidget()
        lay = QVBoxLayout(form_host)
        content = QGroupBox(self.tr("内容"))
        f = QFormLayout(content)
        self.name_edit = self._line("name", self.tr("活动名称（仅内部可见）"))
        self.title_edit = self._line("title", self.tr("通知标题"))
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("body")
        self.body_edit.setPlaceholderText(self.tr("通知正文"))
        self.body_edit.setMaximumHeight(70)
        f.addRow(self.tr("名称"), self.name_edit)
        f.addRow(self.tr("标题"), self.title_edit)
        f.addRow(self.tr("正文"), self.body_edit)
        self.overrides = QTabWidget()
        self.overrides.setObjectName("overrides")
        self.ov: dict[str, dict[str, QLineEdit]] = {}
        for plat in ("android", "ios", "hmos"):
            w = QWidget()
            fl = QFormLayout(w)
            fl.setContentsMargins(4, 4, 4, 4)
            fields = {"title": self._line(f"{plat}_title", self.tr("（默认同上）")),
                      "body": self._line(f"{plat}_body", self.tr("（默认同上）"))}
            fl.addRow(self.tr("标题"), fields["title"])
            if plat == "ios":
                fields["subtitle"] = self._line("ios_subtitle", self.tr("副标题（可选）"))
                fl.addRow(self.tr("副标题"), fields["subtitle"])
            fl.addRow(self.tr("正文"), fields["body"])
            self.ov[plat] = fields
            self.overrides.addTab(w, PLATFORM_NAMES[plat])
        f.addRow(self.tr("平台覆盖"), self.overrides)
        plats = QHBoxLayout()
        self.platform_checks: dict[str, QCheckBox] = {}
        for plat in ("android", "ios", "hmos"):
            cb = QCheckBox(PLATFORM_NAMES[plat])
            cb.setObjectName(f"platform_{plat}")
            cb.setChecked(True)
            self.platform_checks[plat] = cb
            plats.addWidget(cb)
        f.addRow(self.tr("平台"), plats)
        badge = QHBoxLayout()
        self.badge_mode = QComboBox()
        self.badge_mode.setObjectName("badge_mode")
        for text, data in ((self.tr("不变"), ""), (self.tr("设置为"), "set"), (self.tr("增加"), "add"),
                           (self.tr("清除"), "clear")):
            self.badge_mode.addItem(text, data)
        self.badge_n = QSpinBox()
        self.badge_n.setObjectName("badge_n")
        self.badge_n.setRange(-999, 999)
        self.badge_n.setValue(1)
        badge.addWidget(self.badge_mode)
        badge.addWidget(self.badge_n)
        f.addRow(self.tr("角标"), badge)
        self.sound_edit = self._line("sound", self.tr("铃声文件名（空：静音）"))
        f.addRow(self.tr("铃声"), self.sound_edit)
        self.room_edit = self._line("room", self.tr("直播间 ID（深链 shihou://room/…）"))
        f.addRow(self.tr("跳转直播间"), self.room_edit)
        self.extras_edit = QPlainTextEdit()
        self.extras_edit.setObjectName("extras")
        self.extras_edit.setPlaceholderText('{"key": "value"}')
        self.extras_edit.setMaximumHeight(46)
        f.addRow(self.tr("附加字段"), self.extras_edit)
        self.ttl = QSpinBox()
        self.ttl.setObjectName("ttl")
        self.ttl.setRange(-1, 10 * 86400 * 10)
        self.ttl.setValue(-1)
        self.ttl.setSpecialValueText(self.tr("默认（1 天）"))
        self.ttl.setSuffix(self.tr(" 秒"))
        f.addRow(self.tr("离线保留"), self.ttl)
        lay.addWidget(content)
        lay.addWidget(self._build_audience())
        lay.addWidget(self._build_schedule())
        # reason, confirmation, buttons
        g = QFormLayout()
        self.reason_edit = self._line("reason", self.tr("用途 / 原因（写入审计）"))
        g.addRow(self.tr("原因"), self.reason_edit)
        self.confirm_label = QLabel("")
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setStyleSheet("color:#8a1c12;font-weight:600")
        self.confirm_edit = self._line("confirm_size", self.tr("输入受众人数以确认"))
        g.addRow(self.confirm_label)
        g.addRow(self.tr("确认人数"), self.confirm_edit)
        self._confirm_form = g
        lay.addLayout(g)
        buttons = QHBoxLayout()
        self.validate_btn = QPushButton(self.tr("校验"))
        self.validate_btn.setObjectName("validate")
        self.test_btn = QPushButton(self.tr("测试发送"))
        self.test_btn.setObjectName("testSend")
        self.test_btn.setToolTip(self.tr("发送到锁定的测试受众：") + ", ".join(self._push.config.test_aliases))
        self.send_btn = QPushButton(self.tr("发送"))
        self.send_btn.setObjectName("send")
        self.send_btn.setDefault(True)
        self.validate_btn.clicked.connect(self.validate)
        self.test_btn.clicked.connect(self.test_send)
        self.send_btn.clicked.connect(self.send)
        for b in (self.validate_btn, self.test_btn, self.send_btn):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(400)
        self._show_confirmation(None)
        return scroll

    def _build_audience(self) -> QGroupBox:
        box = QGroupBox(self.tr("受众"))
        f = QFormLayout(box)
        self.audience_mode = QComboBox()
        self.audience_mode.setObjectName("audience_mode")
        for text, data in ((self.tr("数据库分群"), "segment"), (self.tr("标签"), "tags"), (self.tr("别名"), "aliases"),
                           (self.tr("设备 ID"), "regids"), (self.tr("全部用户"), "all")):
            self.audience_mode.addItem(text, data)
        f.addRow(self.tr("方式"), self.audience_mode)
        self.tags_or = self._line("tags_or", self.tr("任一标签（逗号分隔）"))
        self.tags_and = self._line("tags_and", self.tr("同时具有"))
        self.tags_not = self._line("tags_not", self.tr("排除"))
        self.aliases_edit = QPlainTextEdit()
        self.aliases_edit.setObjectName("aliases")
        self.aliases_edit.setPlaceholderText(self.tr("别名（用户 ID），逗号或换行分隔"))
        self.aliases_edit.setMaximumHeight(50)
        self.regids_edit = QPlainTextEdit()
        self.regids_edit.setObjectName("regids")
        self.regids_edit.setPlaceholderText(self.tr("Registration ID，逗号或换行分隔"))
        self.regids_edit.setMaximumHeight(50)
        seg = QWidget()
        sg = QGridLayout(seg)
        sg.setContentsMargins(0, 0, 0, 0)
        self.seg_active = QCheckBox(self.tr("近 N 天活跃"))
        self.seg_active.setObjectName("seg_active")
        self.seg_active.setChecked(True)
        self.seg_active_days = QSpinBox()
        self.seg_active_days.setObjectName("seg_active_days")
        self.seg_active_days.setRange(1, 3650)
        self.seg_active_days.setValue(7)
        self.seg_reg = QCheckBox(self.tr("近 N 天注册"))
        self.seg_reg.setObjectName("seg_reg")
        self.seg_reg_days = QSpinBox()
        self.seg_reg_days.setRange(1, 3650)
        self.seg_reg_days.setValue(3)
        self.seg_room = self._line("seg_room", self.tr("在该直播间发言过的用户（房间 ID）"))
        self.seg_platform = QComboBox()
        self.seg_platform.setObjectName("seg_platform")
        for text, data in ((self.tr("任意设备"), ""), ("Android", "android"), ("iOS", "ios"), ("HarmonyOS", "harmony")):
            self.seg_platform.addItem(text, data)
        sg.addWidget(self.seg_active, 0, 0)
        sg.addWidget(self.seg_active_days, 0, 1)
        sg.addWidget(self.seg_reg, 1, 0)
        sg.addWidget(self.seg_reg_days, 1, 1)
        sg.addWidget(self.seg_room, 2, 0, 1, 2)
        sg.addWidget(self.seg_platform, 3, 0, 1, 2)
        self.segment_box = seg
        self.rows_by_mode: dict[str, list[QWidget]] = {"tags": [self.tags_or, self.tags_and, self.tags_not], "aliases": [self.aliases_edit],
                             "regids": [self.regids_edit], "segment": [seg, self.tags_or, self.tags_and, self.tags_not],
                             "all": []}
        f.addRow(self.tr("分群"), seg)
        f.addRow(self.tr("标签(或)"), self.tags_or)
        f.addRow(self.tr("标签(且)"), self.tags_and)
        f.addRow(self.tr("标签(非)"), self.tags_not)
        f.addRow(self.tr("别名"), self.aliases_edit)
        f.addRow(self.tr("设备 ID"), self.regids_edit)
        self._audience_form = f
        self.count_label = QLabel(self.tr("受众：—"))
        self.count_label.setObjectName("audienceCount")
        self.count_label.setStyleSheet("font-weight:600")
        self.count_label.setWordWrap(True)
        f.addRow(self.count_label)
        self.audience_mode.currentIndexChanged.connect(self._audience_mode_changed)
        return box

    def _build_schedule(self) -> QGroupBox:
        box = QGroupBox(self.tr("发送时间"))
        f = QFormLayout(box)
        self.when_mode = QComboBox()
        self.when_mode.setObjectName("when_mode")
        for text, data in ((self.tr("立即发送"), "now"), (self.tr("定时一次"), "once"), (self.tr("周期发送"), "periodic")):
            self.when_mode.addItem(text, data)
        f.addRow(self.tr("方式"), self.when_mode)
        now = QDateTime.currentDateTime()
        self.at_edit = QDateTimeEdit(now.addSecs(3600))
        self.at_edit.setObjectName("at")
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        f.addRow(self.tr("时间"), self.at_edit)
        self.period_unit = QComboBox()
        self.period_unit.setObjectName("period_unit")
        for text, data in ((self.tr("每天"), "day"), (self.tr("每周"), "week"), (self.tr("每月"), "month")):
            self.period_unit.addItem(text, data)
        self.period_points = self._line("period_points", self.tr("周：MON,FRI；月：01,15"))
        self.period_end = QDateTimeEdit(now.addDays(30))
        self.period_end.setObjectName("period_end")
        self.period_end.setDisplayFormat("yyyy-MM-dd HH:mm")
        f.addRow(self.tr("周期"), self.period_unit)
        f.addRow(self.tr("日期"), self.period_points)
        f.addRow(self.tr("结束"), self.period_end)
        return box

    def _build_middle(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel(self.tr("预览（锁屏 / 横幅）")))
        grid = QGridLayout()
        self.previews: dict[tuple[str, str], NotificationPreview] = {}
        for col, plat in enumerate(("ios", "android", "hmos")):
            head = QLabel(PLATFORM_NAMES[plat])
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, col)
            for row, style in enumerate(("lock", "banner")):
                pv = NotificationPreview(plat, style)
                self.previews[(plat, style)] = pv
                grid.addWidget(pv, row + 1, col)
        lay.addLayout(grid)
        sizes = QGroupBox(self.tr("载荷大小"))
        sf = QFormLayout(sizes)
        self.size_bars: dict[str, QProgressBar] = {}
        for key in ("android", "ios", "hmos"):
            bar = QProgressBar()
            bar.setObjectName(f"size_{key}")
            bar.setRange(0, SIZE_LIMITS[key])
            bar.setFormat(f"%v / {SIZE_LIMITS[key]} B")
            self.size_bars[key] = bar
            sf.addRow(PLATFORM_NAMES[key], bar)
        lay.addWidget(sizes)
        self.forecast_label = QLabel(self.tr("预估：—"))
        self.forecast_label.setObjectName("forecast")
        self.forecast_label.setWordWrap(True)
        lay.addWidget(self.forecast_label)
        self.problems = QListWidget()
        self.problems.setObjectName("problems")
        self.problems.setMaximumHeight(130)
        lay.addWidget(QLabel(self.tr("问题")))
        lay.addWidget(self.problems)
        lay.addStretch(1)
        return w

    def _table(self, name: str, model: RowsTableModel) -> QTableView:
        v = QTableView()
        v.setObjectName(name)
        v.setModel(model)
        v.verticalHeader().hide()
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.horizontalHeader().setStretchLastSection(True)
        return v

    def _build_tabs(self) -> QWidget:
        self.tabs = QTabWidget()
        # campaigns + report
        cw = QWidget()
        cl = QVBoxLayout(cw)
        self.campaign_model = CampaignModel(self)
        self.campaign_table = self._table("campaigns", self.campaign_model)
        self.campaign_table.selectionModel().currentRowChanged.connect(self._campaign_selected)
        cl.addWidget(self.campaign_table, 2)
        self.report_label = QLabel(self.tr("选择一个活动查看报表"))
        self.report_label.setObjectName("reportLabel")
        self.report_label.setWordWrap(True)
        cl.addWidget(self.report_label)
        self.chart = ReportChart()
        cl.addWidget(self.chart, 3)
        row = QHBoxLayout()
        self.refresh_report_btn = QPushButton(self.tr("刷新报表"))
        self.refresh_report_btn.clicked.connect(lambda: self.load_report(self._report_id, refresh=True))
        self.start_btn = QPushButton(self.tr("发送已批准的活动"))
        self.start_btn.setObjectName("startApproved")
        self.start_btn.clicked.connect(self.start_selected)
        self.cancel_btn = QPushButton(self.tr("取消活动"))
        self.cancel_btn.clicked.connect(self.cancel_selected)
        for b in (self.refresh_report_btn, self.start_btn, self.cancel_btn):
            row.addWidget(b)
        cl.addLayout(row)
        self.tabs.addTab(cw, self.tr("活动与报表"))
        # approvals
        aw = QWidget()
        al = QVBoxLayout(aw)
        al.addWidget(QLabel(self.tr("等待第二位运营审批的推送（全员推送必须由他人批准）")))
        self.approval_model = ApprovalModel(self)
        self.approval_table = self._table("approvals", self.approval_model)
        al.addWidget(self.approval_table, 1)
        self.approval_note = self._line("approval_note", self.tr("审批意见（可选）"))
        al.addWidget(self.approval_note)
        ar = QHBoxLayout()
        self.approve_btn = QPushButton(self.tr("批准"))
        self.approve_btn.setObjectName("approve")
        self.reject_btn = QPushButton(self.tr("驳回"))
        self.reject_btn.setObjectName("reject")
        self.approve_btn.clicked.connect(lambda: self.decide(True))
        self.reject_btn.clicked.connect(lambda: self.decide(False))
        ar.addWidget(self.approve_btn)
        ar.addWidget(self.reject_btn)
        al.addLayout(ar)
        self._approvals_tab = aw
        self.tabs.addTab(aw, self.tr("审批"))
        # schedules
        sw = QWidget()
        sl = QVBoxLayout(sw)
        self.schedule_model = ScheduleModel(self)
        self.schedule_table = self._table("schedules", self.schedule_model)
        sl.addWidget(self.schedule_table, 1)
        er = QHBoxLayout()
        self.reschedule_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(7200))
        self.reschedule_at.setObjectName("reschedule_at")
        self.reschedule_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.reschedule_btn = QPushButton(self.tr("改期（一次性）"))
        self.reschedule_btn.clicked.connect(self.reschedule_selected)
        self.cancel_schedule_btn = QPushButton(self.tr("取消定时"))
        self.cancel_schedule_btn.setObjectName("cancelSchedule")
        self.cancel_schedule_btn.clicked.connect(self.cancel_schedule_selected)
        er.addWidget(self.reschedule_at)
        er.addWidget(self.reschedule_btn)
        er.addWidget(self.cancel_schedule_btn)
        sl.addLayout(er)
        self.schedule_reason = self._line("schedule_reason", self.tr("改期 / 取消原因"))
        sl.addWidget(self.schedule_reason)
        self.tabs.addTab(sw, self.tr("定时任务"))
        return self.tabs

    def _wire_live_updates(self) -> None:
        for e in (self.name_edit, self.title_edit, self.sound_edit, self.room_edit,
                  *(x for d in self.ov.values() for x in d.values())):
            e.textChanged.connect(self.update_previews)
        for pe in (self.body_edit, self.extras_edit):
            pe.textChanged.connect(self.update_previews)
        self.badge_mode.currentIndexChanged.connect(self.update_previews)
        self.badge_n.valueChanged.connect(self.update_previews)
        self.ttl.valueChanged.connect(self.update_previews)
        for cb in self.platform_checks.values():
            cb.toggled.connect(self.update_previews)
        for e in (self.tags_or, self.tags_and, self.tags_not, self.seg_room):
            e.textChanged.connect(self._audience_changed)
        for pe in (self.aliases_edit, self.regids_edit):
            pe.textChanged.connect(self._audience_changed)
        for cb in (self.seg_active, self.seg_reg):
            cb.toggled.connect(self._audience_changed)
        for sp in (self.seg_active_days, self.seg_reg_days):
            sp.valueChanged.connect(self._audience_changed)
        self.seg_platform.currentIndexChanged.connect(self._audience_changed)
        self.when_mode.currentIndexChanged.connect(self._when_changed)
        self._when_changed()

    # --- reading the form ------------------------------------------------------------------------

    def draft(self) -> PushDraft:
        """The draft as typed (raises :class:`DraftInvalid` for a room id that is not a number)."""
        room_text = self.room_edit.text().strip()
        room: int | None = None
        if room_text:
            if not room_text.isdigit():
                raise DraftInvalid([("room", f"{room_text!r} is not a room id (digits)")])
            room = int(room_text)
        mode = self.badge_mode.currentData()
        badge = (str(mode), 0 if mode == "clear" else self.badge_n.value()) if mode else None

        def opt(e: QLineEdit) -> str | None:
            return e.text().strip() or None

        return PushDraft(
            name=self.name_edit.text().strip(), title=self.title_edit.text().strip(),
            body=self.body_edit.toPlainText(),
            android_title=opt(self.ov["android"]["title"]), android_body=opt(self.ov["android"]["body"]),
            ios_title=opt(self.ov["ios"]["title"]), ios_subtitle=opt(self.ov["ios"]["subtitle"]),
            ios_body=opt(self.ov["ios"]["body"]), hmos_title=opt(self.ov["hmos"]["title"]),
            hmos_body=opt(self.ov["hmos"]["body"]), badge=badge, sound=opt(self.sound_edit), room_id=room,
            extras=self.extras_edit.toPlainText(), ttl=None if self.ttl.value() < 0 else self.ttl.value(),
            platforms=tuple(p for p, cb in self.platform_checks.items() if cb.isChecked()))

    def audience(self) -> AudienceSpec:
        mode = self.audience_mode.currentData()
        if mode == "all":
            return AudienceSpec(everyone=True)
        if mode == "aliases":
            return AudienceSpec(aliases=_split(self.aliases_edit.toPlainText()))
        if mode == "regids":
            return AudienceSpec(registration_ids=_split(self.regids_edit.toPlainText()))
        tags, tags_and, tags_not = (_split(self.tags_or.text()), _split(self.tags_and.text()),
                                    _split(self.tags_not.text()))
        if mode == "tags":
            return AudienceSpec(tags=tags, tags_and=tags_and, tags_not=tags_not)
        room_text = self.seg_room.text().strip()
        if room_text and not room_text.isdigit():
            raise DraftInvalid([("segment.room", f"{room_text!r} is not a room id (digits)")])
        seg = Segment(active_days=self.seg_active_days.value() if self.seg_active.isChecked() else None,
                      registered_days=self.seg_reg_days.value() if self.seg_reg.isChecked() else None,
                      room_id=int(room_text) if room_text else None,
                      platform=self.seg_platform.currentData() or None)
        return AudienceSpec(segment=seg, tags=tags, tags_and=tags_and, tags_not=tags_not)

    def schedule(self) -> ScheduleSpec | None:
        mode = self.when_mode.currentData()
        if mode == "now":
            return None
        at = aware(self.at_edit.dateTime())
        if mode == "once":
            return ScheduleSpec(kind="once", at=at)
        end = aware(self.period_end.dateTime())
        bj = at.astimezone(BEIJING)
        return ScheduleSpec(kind="periodic", time=f"{bj.hour:02d}:{bj.minute:02d}", start=at,
                            end=end, unit=self.period_unit.currentData(),
                            points=tuple(p.upper() for p in _split(self.period_points.text())))

    # --- live feedback -----------------------------------------------------------------------------

    def update_previews(self) -> None:
        """Previews and size meters from the form (pure: no I/O)."""
        try:
            d = self.draft()
        except DraftInvalid:
            d = PushDraft(name="", body=self.body_edit.toPlainText(), title=self.title_edit.text())
        badge = ""
        if d.badge is not None:
            badge = {"set": str(d.badge[1]), "add": f"+{d.badge[1]}", "clear": ""}.get(d.badge[0], "")
        for (plat, _style), pv in self.previews.items():
            title = getattr(d, f"{plat}_title", None) or d.title or self.title_edit.placeholderText()
            body = getattr(d, f"{plat}_body", None) or d.body or self.body_edit.placeholderText()
            sub = (d.ios_subtitle or "") if plat == "ios" else ""
            pv.set_content(title, body, sub, badge)
            pv.setEnabled(plat in d.platforms)
        try:
            sizes = self._push.sizes(d)
        except ConsoleError:
            sizes = {}
        for key, bar in self.size_bars.items():
            s = sizes.get(key)
            size = s.size if s is not None else 0
            bar.setValue(min(size, bar.maximum()))
            over = s is not None and s.over > 0
            bar.setFormat(f"{size} / {SIZE_LIMITS[key]} B" + (self.tr("（超出 %1 B）").replace("%1", str(s.over))
                                                               if over and s is not None else ""))
            bar.setProperty("over", over)
            bar.setStyleSheet("QProgressBar::chunk{background:#c62828}" if over else
                              "QProgressBar::chunk{background:#e0a800}" if s is not None and s.fraction > 0.8 else "")

    def _audience_mode_changed(self) -> None:
        mode = self.audience_mode.currentData()
        shown = {id(w) for w in self.rows_by_mode.get(str(mode), [])}
        for w in (self.segment_box, self.tags_or, self.tags_and, self.tags_not, self.aliases_edit, self.regids_edit):
            visible = id(w) in shown
            w.setVisible(visible)
            label = self._audience_form.labelForField(w)
            if label is not None:
                label.setVisible(visible)
        self._audience_changed()

    def _audience_changed(self) -> None:
        self.count_label.setText(self.tr("受众：计算中…"))
        self._count_timer.start()

    def recount(self) -> None:
        """The live audience count (debounced; a newer count cancels the one in flight)."""
        try:
            spec = self.audience()
        except DraftInvalid as e:
            self.count_label.setText(self.tr("受众：") + "; ".join(m for _f, m in e.problems))
            return
        if spec.is_empty:
            self.count_label.setText(self.tr("受众：为空"))
            self._show_confirmation(None)
            return
        self.tasks.run("count", self._push.count_audience(spec), on_done=self._show_count)

    def _show_count(self, count: AudienceCount) -> None:
        self._last_count = count
        if count.size or count.exact:
            text = self.tr("受众：%1 人 · %2 次推送").replace("%1", f"{count.size:,}").replace("%2", str(count.pushes))
            if not count.exact:
                text = self.tr("受众：至多 %1 人（估算）").replace("%1", f"{count.size:,}")
        else:
            text = self.tr("受众：人数未知")
        if count.by_platform:
            text += " · " + " / ".join(f"{k} {v:,}" for k, v in sorted(count.by_platform.items()))
        if count.note:
            text += "\n" + count.note
        self.count_label.setText(text)
        self._show_confirmation(count)
        self.counted.emit(count)

    def _show_confirmation(self, count: AudienceCount | None) -> None:
        need = count is not None and count.size > self._push.config.confirm_threshold
        self._confirm_form.setRowVisible(self.confirm_label, need)
        self._confirm_form.setRowVisible(self.confirm_edit, need)
        if need and count is not None:
            self.confirm_label.setText(self.tr("此推送将到达 %1 人。请在下方输入这个数字以确认。")
                                       .replace("%1", f"{count.size:,}"))

    def _when_changed(self) -> None:
        mode = self.when_mode.currentData()
        self.at_edit.setEnabled(mode != "now")
        for w in (self.period_unit, self.period_points, self.period_end):
            w.setEnabled(mode == "periodic")
        self.send_btn.setText(self.tr("发送") if mode == "now" else self.tr("创建定时推送"))

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        self.problems.clear()
        for f, m in problems:
            item = QListWidgetItem(f"{field_label(f)}：{m}")
            item.setForeground(QColor("#b3261e"))
            item.setData(Qt.ItemDataRole.UserRole, f)
            self.problems.addItem(item)
        if problems:
            self.message_bar.show_message(self.tr("有 %1 处需要修改，未发送任何内容").replace("%1", str(len(problems))),
                                          "warning")
        self.problems_shown.emit(list(problems))

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DraftInvalid):
            self.show_problems(exc.problems)
            return
        if isinstance(exc, InvalidInput):
            self.show_problems([(exc.field, str(exc).split(": ", 1)[-1])])
            self.message_bar.show_message(describe(exc), "warning")
            return
        self.message_bar.show_error(exc)

    def _confirm_size(self) -> int | None:
        text = self.confirm_edit.text().replace(",", "").replace("，", "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise DraftInvalid([("confirm_size", f"{self.confirm_edit.text()!r} is not a number")])
        return int(text)

    # --- actions -----------------------------------------------------------------------------------

    def _collect(self) -> tuple[PushDraft, AudienceSpec, ScheduleSpec | None] | None:
        try:
            return self.draft(), self.audience(), self.schedule()
        except DraftInvalid as e:
            self.show_problems(e.problems)
            return None

    def validate(self) -> None:
        """All local checks, the count, the forecast and JPush's own validate (nothing is delivered)."""
        got = self._collect()
        if got is None:
            return
        draft, spec, sched = got
        self.show_problems([])
        self.tasks.run("check", self._push.check(draft, spec, schedule=sched, remote=self._push.connected),
                       on_done=self._show_check, busy=self.tr("正在校验…"))

    def _show_check(self, res: CheckResult) -> None:
        self._show_count(res.count)
        f = res.forecast
        lines = [self.tr("预估：%1 次推送，按 %2 次/分钟约 %3 分钟完成（%4）")
                 .replace("%1", str(f.pushes)).replace("%2", str(f.quota_per_min))
                 .replace("%3", f"{f.minutes:.1f}" if f.minutes >= 0.1 else "<0.1")
                 .replace("%4", fmt_time(f.finish_at))]
        for v in f.vendors:
            lines.append(f"· {v.vendor} {v.devices:,} 台：{v.note}" if v.note else f"· {v.vendor} {v.devices:,} 台")
        lines += [f"⚠ {w}" for w in f.warnings]
        if res.needs_approval:
            lines.append(self.tr("⚠ 全员推送需要另一位运营批准"))
        self.forecast_label.setText("\n".join(lines))
        self.message_bar.show_message(self.tr("校验通过"), "info", timeout_ms=4000)
        self.checked.emit(res)

    def send(self) -> None:
        got = self._collect()
        if got is None:
            return
        draft, spec, sched = got
        try:
            confirm = self._confirm_size()
        except DraftInvalid as e:
            self.show_problems(e.problems)
            return
        self.show_problems([])
        reason = self.reason_edit.text().strip()
        self.tasks.run("send", self._push.send(draft, spec, reason=reason, confirm_size=confirm, schedule=sched,
                                               progress=self._progress_from_service),
                       on_done=self._sent, busy=self.tr("正在发送…"))

    def test_send(self) -> None:
        try:
            draft = self.draft()
        except DraftInvalid as e:
            self.show_problems(e.problems)
            return
        self.show_problems([])
        self.tasks.run("test", self._push.test_send(draft), on_done=self._sent, busy=self.tr("正在测试发送…"))

    def _sent(self, camp: Campaign) -> None:
        if camp.state == "awaiting_approval":
            self._waiting_approval.add(camp.id)
            self.message_bar.show_message(self.tr("已提交审批：需要另一位运营在其控制台批准后才会发送"), "info")
        elif camp.state == "scheduled":
            self.message_bar.show_message(self.tr("定时推送已创建"), "info", timeout_ms=5000)
        else:
            self.message_bar.show_message(self.tr("活动 #%1 %2").replace("%1", str(camp.id))
                                          .replace("%2", STATE_NAMES.get(camp.state, camp.state)), "info",
                                          timeout_ms=5000)
        self.confirm_edit.clear()
        self._report_id = camp.id
        self.refresh()
        if camp.running:
            self.timer.start()
        self.sent.emit(camp)

    def _progress_from_service(self, camp: Campaign) -> None:
        """Called by the service after every push of a running campaign (on the loop: just schedule)."""
        QTimer.singleShot(0, self.refresh_campaigns)

    def decide(self, approve: bool) -> None:
        idx = self.approval_table.currentIndex()
        if not idx.isValid():
            self.message_bar.show_message(self.tr("请先选择一条审批"), "warning", timeout_ms=3000)
            return
        a = self.approval_model.rows[idx.row()]
        note = self.approval_note.text().strip()
        coro = self._push.approve(a.id, note) if approve else self._push.reject(a.id, note)
        self.tasks.run(f"decide:{a.id}", coro, on_done=lambda _a: self.refresh())

    def _selected_campaign(self) -> Campaign | None:
        idx = self.campaign_table.currentIndex()
        return self.campaign_model.rows[idx.row()] if idx.isValid() else None

    def start_selected(self) -> None:
        c = self._selected_campaign()
        if c is not None:
            self.start(c.id)

    def start(self, campaign_id: int) -> None:
        self._waiting_approval.discard(campaign_id)
        self.tasks.run(f"start:{campaign_id}", self._push.start(campaign_id, progress=self._progress_from_service),
                       on_done=self._sent)

    def cancel_selected(self) -> None:
        c = self._selected_campaign()
        if c is None:
            return
        reason = self.reason_edit.text().strip() or self.tr("运营取消")
        self.tasks.run(f"cancel:{c.id}", self._push.cancel(c.id, reason=reason), on_done=lambda _c: self.refresh())

    def _selected_schedule(self) -> ScheduleRow | None:
        idx = self.schedule_table.currentIndex()
        return self.schedule_model.rows[idx.row()] if idx.isValid() else None

    def reschedule_selected(self) -> None:
        s = self._selected_schedule()
        if s is None:
            return
        at = aware(self.reschedule_at.dateTime())
        self.tasks.run(f"reschedule:{s.id}",
                       self._push.update_schedule(s.id, ScheduleSpec(kind="once", at=at),
                                                  reason=self.schedule_reason.text()),
                       on_done=lambda _s: self.refresh_schedules())

    def cancel_schedule_selected(self) -> None:
        s = self._selected_schedule()
        if s is None:
            return
        self.tasks.run(f"cancel_schedule:{s.id}", self._push.cancel_schedule(s.id, reason=self.schedule_reason.text()),
                       on_done=lambda _s: self.refresh())

    # --- lists and report ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Campaigns, approvals and schedules; ``loaded`` when all three are in."""
        self._pending_loads: set[str] = {"campaigns", "approvals", "schedules"}
        self.refresh_campaigns()
        self.refresh_approvals()
        self.refresh_schedules()

    def _loaded_part(self, part: str) -> None:
        pending: set[str] = getattr(self, "_pending_loads", set())
        if part in pending:
            pending.discard(part)
            if not pending:
                self.loaded.emit()

    def refresh_campaigns(self) -> None:
        self.tasks.run("campaigns", self._push.campaigns(), on_done=self._show_campaigns)

    def _show_campaigns(self, rows: list[Campaign]) -> None:
        keep = self._report_id
        self.campaign_model.replace(rows)
        for i, c in enumerate(rows):
            if c.id == keep:
                self.campaign_table.selectRow(i)
                break
        else:
            if rows and keep is None:
                self.campaign_table.selectRow(0)
        # a campaign of ours that another operator approved starts now (we asked and are waiting)
        for c in rows:
            if c.id in self._waiting_approval and c.state == "approved":
                self.start(c.id)
            elif c.id in self._waiting_approval and c.state in ("rejected", "cancelled"):
                self._waiting_approval.discard(c.id)
                self.message_bar.show_message(self.tr("活动 #%1 被驳回").replace("%1", str(c.id)), "warning")
        running = any(c.running for c in rows)
        if running and not self.timer.isActive():
            self.timer.start()
        self._loaded_part("campaigns")

    def refresh_approvals(self) -> None:
        self.tasks.run("approvals", self._push.approvals(), on_done=self._show_approvals)

    def _show_approvals(self, rows: list[Approval]) -> None:
        self.approval_model.replace(rows)
        idx = self.tabs.indexOf(self._approvals_tab)
        self.tabs.setTabText(idx, self.tr("审批") + (f" ({len(rows)})" if rows else ""))
        if rows and self.approval_table.currentIndex().row() < 0:
            self.approval_table.selectRow(0)
        self._loaded_part("approvals")

    def refresh_schedules(self) -> None:
        self.tasks.run("schedules", self._push.schedules(), on_done=self._show_schedules)

    def _show_schedules(self, rows: list[ScheduleRow]) -> None:
        self.schedule_model.replace(rows)
        if rows and self.schedule_table.currentIndex().row() < 0:
            self.schedule_table.selectRow(0)
        self._loaded_part("schedules")

    def _campaign_selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            c = self.campaign_model.rows[current.row()]
            if c.id != self._report_id:
                self._report_id = c.id
                self.load_report(c.id, refresh=False)

    def load_report(self, campaign_id: int | None, *, refresh: bool) -> None:
        if campaign_id is None:
            return
        if refresh and self._push.connected:
            coro = self._push.refresh_report(campaign_id)
        else:
            coro = self._push.report(campaign_id)
        self.tasks.run("report", coro, on_done=self._show_report)

    def _tick_report(self) -> None:
        running = [c for c in self.campaign_model.rows if c.running]
        target = self._report_id
        if target is None and running:
            target = running[0].id
        if target is not None:
            self.load_report(target, refresh=True)
        recent = [c for c in self.campaign_model.rows
                  if c.finished_at is not None and datetime.now(UTC) - c.finished_at < timedelta(minutes=10)]
        if not running and not recent:
            self.timer.stop()

    def _show_report(self, report: CampaignReport) -> None:
        c = report.campaign
        self.chart.show_report(report)
        parts = [f"#{c.id} {c.name} · {STATE_NAMES.get(c.state, c.state)}",
                 self.tr("推送 %1/%2 · 到达人数 %3").replace("%1", str(c.pushes_done))
                 .replace("%2", str(c.batches_planned or "—")).replace("%3", f"{c.recipients:,}")]
        tot_r = sum(p.received for p in report.platforms)
        tot_c = sum(p.clicked for p in report.platforms)
        parts.append(self.tr("到达 %1 · 点击 %2").replace("%1", f"{tot_r:,}").replace("%2", f"{tot_c:,}"))
        if report.updated_at is not None:
            parts.append(self.tr("更新于 ") + fmt_time(report.updated_at))
        if c.last_error:
            parts.append(self.tr("最后错误：") + c.last_error[:200])
        self.report_label.setText(" · ".join(parts))
        self.report_shown.emit(report)

    # --- main window hooks ----------------------------------------------------------------------------

    def on_shown(self) -> None:
        """The main window shows the pane: lists up to date, and the live count of the current audience."""
        self.refresh()
        self._count_timer.start()

    def on_changes(self, changes: Changes) -> None:
        if changes.has("approvals"):
            self.refresh_approvals()
            self.refresh_campaigns()
        elif changes.has("push"):
            self.refresh_campaigns()
            if self._report_id is not None and str(self._report_id) in changes.topic("push"):
                self.load_report(self._report_id, refresh=False)
        if changes.has("push") and any(c.state == "scheduled" for c in self.campaign_model.rows):
            self.refresh_schedules()
        if self._report_id is not None and str(self._report_id) in changes.topic("push_report"):
            self.load_report(self._report_id, refresh=False)

    async def load_showcase(self) -> None:
        """For ``--screenshot --pane push``: a sample draft with previews, and the report of a campaign really
        sent, with received and clicked figures from JPush. In the training sandbox (JPush on 127.0.0.1) a
        small campaign (at most 500 recently active users, no approval needed) is sent through the real
        service when none has been sent yet; its report grows as the emulator's devices receive and click."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40
        while not self._push.connected and loop.time() < deadline:   # the sandbox connects JPush late
            await asyncio.sleep(0.2)
        if not self.name_edit.text():
            self.name_edit.setText("KPL 总决赛预告")
            self.title_edit.setText("今晚8点 KPL 春季赛总决赛")
            self.body_edit.setPlainText("冠军之夜，锁定直播间，一起见证王者诞生！🏆")
            self.room_edit.setText("1")
            self.badge_mode.setCurrentIndex(2)
            self.reason_edit.setText("赛事预告")
            self.audience_mode.setCurrentIndex(self.audience_mode.findData("all"))
        loaded = self._future_of(self.loaded)
        self.refresh()
        await loaded
        sent = [c for c in self.campaign_model.rows if c.state == "done" and not c.test and c.pushes_done]
        if sent:
            self._report_id = sent[0].id
        if self._sandbox_jpush() and not await self._has_figures(sent[0].id if sent else None):
            # (a sandbox's emulator starts empty: the pushes of an earlier run are unknown to it)
            self._report_id = await self._send_showcase_campaign()
            loaded = self._future_of(self.loaded)
            self.refresh()
            await loaded
        self.recount()
        got = self._collect()
        if got is not None:
            with contextlib.suppress(ConsoleError):
                self._show_check(await self._push.check(got[0], got[1], schedule=got[2]))
        if self._report_id is None:
            return
        for i, c in enumerate(self.campaign_model.rows):
            if c.id == self._report_id:
                self.campaign_table.selectRow(i)
        # the figures grow while devices receive and click: ask JPush until most devices have it and some
        # clicked (at most ~20 s)
        for _ in range(12):
            shown = self._future_of(self.report_shown)
            self.load_report(self._report_id, refresh=self._push.connected)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(shown, 10)
            vals = list(self.chart.values().values())
            received, clicked = sum(r for r, _c in vals), sum(c for _r, c in vals)
            camp = next((c for c in self.campaign_model.rows if c.id == self._report_id), None)
            most = camp is None or received * 10 >= camp.recipients * 6   # most devices have it
            if not self._push.connected or (received > 0 and clicked > 0 and most):
                break
            await asyncio.sleep(1.5)
        self.timer.stop()

    async def _has_figures(self, campaign_id: int | None) -> bool:
        if campaign_id is None:
            return False
        with contextlib.suppress(ConsoleError):
            report = await self._push.refresh_report(campaign_id)
            return any(p.received for p in report.platforms)
        return False

    def _sandbox_jpush(self) -> bool:
        if not self._push.connected:
            return False
        host = urlsplit(str(getattr(self._push.client(), "base_url", "") or "")).hostname
        return host in ("127.0.0.1", "localhost", "::1")

    async def _send_showcase_campaign(self) -> int:
        """Send 开播提醒 to up to 500 users (active in the last 7 days if there are any), to its end."""
        aliases: list[str] = []
        for seg in (Segment(active_days=7), Segment()):   # recently active users, else any active account
            async for batch, _first, _last in self._push.audience_batches(AudienceSpec(segment=seg)):
                aliases = batch[:500]
                break
            if aliases:
                break
        if not aliases:
            raise InvalidInput("audience", "the sandbox has no active user")
        draft = PushDraft(name="开播提醒 · 沙箱演示", title="你关注的主播开播啦", body="小明的王者上分房正在直播，快来围观！",
                          room_id=1, platforms=("android", "ios", "hmos"))
        camp = await self._push.send(draft, AudienceSpec(aliases=tuple(aliases)), reason="沙箱演示活动", wait=True)
        return camp.id

    @staticmethod
    def _future_of(signal: Any) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        signal.connect(lambda *a: None if fut.done() else fut.set_result(a))
        return fut

    def save_state(self, s: QSettings) -> None:
        s.setValue("push/splitter", self.splitter.saveState())
        s.setValue("push/tab", self.tabs.currentIndex())

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("push/splitter")) is not None:
            self.splitter.restoreState(v)
        if (v := s.value("push/tab")) is not None:
            with contextlib.suppress(TypeError, ValueError):
                self.tabs.setCurrentIndex(int(str(v)))
