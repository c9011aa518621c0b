"""SMS campaigns (operators): compose from an approved template with its variables filled (live preview,
characters and billed parts), an audience from the shared database with a live count (opt-outs left
out), quiet hours and a schedule; submit for the two-person approval (the request appears live in the
other operators' consoles, who approve or reject it there); the campaign list and a per-campaign delivery
report that refreshes while it runs; the opt-out list (view, add, remove with a reason).

Layout: the composer on the left; on the right tabs for campaigns with their report chart, approvals and
opt-outs. Nothing here talks to the vendor or the database: every action is a :class:`SmsService`
coroutine run by the pane's :class:`TaskRunner`; every check that matters is the service's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
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
from console.errors import InvalidInput
from console.services.sms.gateway import SmsTemplate
from console.services.sms.service import (
    ApprovalInfo,
    ApprovalRefused,
    Audience,
    AudienceCount,
    CampaignInfo,
    CampaignReport,
    OptOut,
    SmsService,
    TemplateInfo,
    sms_length,
)
from console.views.feedback import MessageBar, describe
from console.views.models import RowsTableModel
from console.views.push import ApprovalModel  # the same five columns for push and SMS approvals
from console.views.tasks import TaskRunner
from console.views.user_lookup import fmt_time

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
def _n(text: str) -> str:
    return str(QT_TRANSLATE_NOOP("sms", text))


def _t(text: str) -> str:
    """A string marked with :func:`_n`, translated when shown."""
    return QCoreApplication.translate("sms", text)


STATE_NAMES = {"awaiting_approval": _n("待审批"), "approved": _n("已批准"), "sending": _n("发送中"), "done": _n("完成"),
               "rejected": _n("已驳回"), "cancelled": _n("已取消")}
AUDIENCE_NAMES = {"active_days": _n("近 %1 天活跃"), "registered_days": _n("近 %1 天注册"),
                  "user_ids": _n("指定用户 %1 人")}
FIELD_NAMES = {"name": _n("活动名称"), "template": _n("模板"), "template_param": _n("模板变量"), "audience": _n("受众"),
               "schedule": _n("发送时间"), "quiet_hours": _n("免打扰时段"), "reason": _n("原因"),
               "confirm_size": _n("确认人数"), "phone": _n("手机号"), "note": _n("审批意见"), "approval": _n("审批"),
               "campaign": _n("活动"), "sms": _n("短信服务")}
#: Report bars: (label, colour).
REPORT_BARS = ((_n("已发送"), "#3d7bd9"), (_n("已送达"), "#2e9d57"), (_n("失败"), "#c62828"),
               (_n("拒收跳过"), "#8e8e8e"), (_n("等待回执"), "#e0a800"))


def state_text(state: str) -> str:
    return _t(STATE_NAMES[state]) if state in STATE_NAMES else state


def field_label(field: str) -> str:
    if field.startswith("var."):
        return "${" + field[4:] + "}"
    return _t(FIELD_NAMES[field]) if field in FIELD_NAMES else field


def aware(qdt: QDateTime) -> datetime:
    """A QDateTime (local time as shown) as an aware UTC datetime."""
    return datetime.fromtimestamp(qdt.toSecsSinceEpoch(), UTC)


def audience_text(doc: dict[str, Any]) -> str:
    kind = str(doc.get("kind", ""))
    n = len(doc.get("ids") or []) if kind == "user_ids" else doc.get("days", "")
    return (_t(AUDIENCE_NAMES[kind]) if kind in AUDIENCE_NAMES else kind).replace("%1", str(n))


def parse_user_ids(text: str) -> tuple[tuple[int, ...], list[str]]:
    """User ids separated by commas, spaces or new lines (full-width commas too): (ids, bad tokens)."""
    tokens = [p.strip() for p in text.replace("，", ",").replace("\n", ",").replace(" ", ",").split(",")]
    ids: list[int] = []
    bad: list[str] = []
    for tok in tokens:
        if not tok:
            continue
        if tok.isascii() and tok.isdigit() and len(tok) <= 18:
            ids.append(int(tok))
        else:
            bad.append(tok)
    return tuple(dict.fromkeys(ids)), bad


# --- tables --------------------------------------------------------------------------------------------

class CampaignModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CampaignInfo] = []
        self.headers = [self.tr("编号"), self.tr("名称"), self.tr("状态"), self.tr("模板"), self.tr("受众"),
                        self.tr("人数"), self.tr("拒收跳过"), self.tr("定时"), self.tr("创建人"), self.tr("创建时间")]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        c = self.rows[index.row()]
        return (str(c.id), c.name, state_text(c.state), c.template_code, audience_text(c.audience),
                f"{c.audience_size:,}", f"{c.skipped_opt_out:,}", fmt_time(c.send_at) if c.send_at else "—",
                c.created_by, fmt_time(c.created_at))[index.column()]



class OptOutModel(RowsTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OptOut] = []
        self.headers = [self.tr("手机号"), self.tr("用户 ID"), self.tr("来源"), self.tr("操作人"), self.tr("时间")]

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        o = self.rows[index.row()]
        return (o.phone_masked, str(o.user_id or "—"), o.source, o.created_by, fmt_time(o.created_at))[index.column()]



class SmsReportChart(QChartView):
    """Sent, delivered, failed, skipped (opted out) and awaiting a receipt, for one campaign."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("smsReportChart")
        chart = QChart()
        chart.setTitle(self.tr("投递报表"))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.series = QBarSeries()
        self.sets: list[QBarSet] = []
        for label, colour in REPORT_BARS:
            bs = QBarSet(_t(label))
            bs.setColor(QColor(colour))
            bs.append(0)
            self.sets.append(bs)
            self.series.append(bs)
        self.series.setLabelsVisible(True)
        chart.addSeries(self.series)
        self.axis_x = QBarCategoryAxis()
        self.axis_x.append([self.tr("活动")])
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%d")
        self.axis_y.setRange(0, 10)
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.axis_x)
        self.series.attachAxis(self.axis_y)
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)

    def show_report(self, r: CampaignReport) -> None:
        values = (r.sent, r.delivered, r.failed + r.undelivered, r.skipped_opt_out, r.awaiting_receipt)
        for bs, v in zip(self.sets, values, strict=True):
            bs.replace(0, v)
        self.axis_x.clear()
        self.axis_x.append([self.tr("活动 #%1").replace("%1", str(r.campaign_id))])
        self.axis_y.setRange(0, max(10, *values) * 1.15)
        self.axis_y.applyNiceNumbers()

    def values(self) -> dict[str, int]:
        """{"sent", "delivered", "failed", "opted_out", "awaiting"} as drawn."""
        keys = ("sent", "delivered", "failed", "opted_out", "awaiting")
        return {k: int(bs.at(0)) for k, bs in zip(keys, self.sets, strict=True)}


# --- the pane ------------------------------------------------------------------------------------------

class SmsPane(QWidget):
    """Signals: loaded() after the lists are in; counted(object AudienceCount); submitted(object
    CampaignInfo) after a campaign went for approval; problems_shown(list of (field, message));
    report_shown(object CampaignReport); opt_outs_shown(list)."""

    loaded = Signal()
    counted = Signal(object)
    submitted = Signal(object)
    problems_shown = Signal(list)
    report_shown = Signal(object)
    opt_outs_shown = Signal(list)

    def __init__(self, sms: SmsService, parent: QWidget | None = None, *, report_interval_ms: int = 3000) -> None:
        super().__init__(parent)
        self.setObjectName("smsPane")
        self._sms = sms
        self.tasks = TaskRunner(self)
        self._templates: dict[str, TemplateInfo] = {}
        self._var_edits: dict[str, QLineEdit] = {}
        self._waiting_approval: set[int] = set()
        self._report_id: int | None = None
        self._last_report: CampaignReport | None = None
        self._last_count: AudienceCount | None = None
        self._pending_loads: set[str] = set()
        outer = QVBoxLayout(self)
        self.message_bar = MessageBar(self)
        outer.addWidget(self.message_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.splitter, 1)
        self.splitter.addWidget(self._build_composer())
        self.splitter.addWidget(self._build_tabs())
        self.splitter.setSizes([520, 700])
        self.splitter.setStretchFactor(1, 1)
        self.tasks.failed.connect(self._on_failed)
        self._count_timer = QTimer(self)   # the live count, debounced
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(350)
        self._count_timer.timeout.connect(self.recount)
        self.timer = QTimer(self)          # the report while a campaign runs or waits for receipts
        self.timer.setInterval(report_interval_ms)
        self.timer.timeout.connect(self._tick_report)
        # campaigns whose time comes later (schedule, quiet hours) are sent by the worker (PostgreSQL) or the
        # console's in-process duties (SQLite): console/services/jobs.py
        submit = QShortcut(QKeySequence("Ctrl+Return"), self)
        submit.activated.connect(self.submit)
        self._wire()
        self._audience_mode_changed()
        self._when_changed()
        self.update_preview()
        self._show_confirmation(None)

    # --- building --------------------------------------------------------------------------------

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setPlaceholderText(placeholder)
        return e

    def _build_composer(self) -> QWidget:
        host = QWidget()
        lay = QVBoxLayout(host)
        content = QGroupBox(self.tr("内容"))
        f = QFormLayout(content)
        self.name_edit = self._line("name", self.tr("活动名称（仅内部可见）"))
        f.addRow(self.tr("名称"), self.name_edit)
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("template")
        self.template_combo.setToolTip(self.tr("服务商已审核通过的通知 / 营销模板"))
        f.addRow(self.tr("模板"), self.template_combo)
        sync = QHBoxLayout()
        self.sync_edit = self._line("sync_code", self.tr("模板编号（空：同步全部模板）"))
        self.sync_btn = QPushButton(self.tr("从服务商同步"))
        self.sync_btn.setObjectName("syncTemplate")
        self.sync_btn.clicked.connect(self.sync_template)
        sync.addWidget(self.sync_edit, 1)
        sync.addWidget(self.sync_btn)
        f.addRow(self.tr("同步模板"), sync)
        self.vars_box = QWidget()
        self.vars_form = QFormLayout(self.vars_box)
        self.vars_form.setContentsMargins(0, 0, 0, 0)
        f.addRow(self.tr("变量"), self.vars_box)
        self.preview = QLabel("")
        self.preview.setObjectName("smsPreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setStyleSheet("background:#f3f6f9;border:1px solid #d5dbe3;border-radius:10px;padding:8px;")
        self.preview.setMinimumHeight(64)
        f.addRow(self.tr("预览"), self.preview)
        self.length_label = QLabel("")
        self.length_label.setObjectName("smsLength")
        f.addRow("", self.length_label)
        lay.addWidget(content)
        # audience
        box = QGroupBox(self.tr("受众"))
        af = QFormLayout(box)
        self.audience_mode = QComboBox()
        self.audience_mode.setObjectName("audience_mode")
        for text, data in ((self.tr("近 N 天活跃的用户"), "active_days"), (self.tr("近 N 天注册的用户"), "registered_days"),
                           (self.tr("指定用户 ID"), "user_ids")):
            self.audience_mode.addItem(text, data)
        af.addRow(self.tr("方式"), self.audience_mode)
        self.days_spin = QSpinBox()
        self.days_spin.setObjectName("audience_days")
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(7)
        self.days_spin.setSuffix(self.tr(" 天"))
        af.addRow(self.tr("天数"), self.days_spin)
        self.ids_edit = QPlainTextEdit()
        self.ids_edit.setObjectName("audience_ids")
        self.ids_edit.setPlaceholderText(self.tr("用户 ID，逗号或换行分隔"))
        self.ids_edit.setMaximumHeight(60)
        self.ids_edit.setTabChangesFocus(True)
        af.addRow(self.tr("用户 ID"), self.ids_edit)
        self._audience_form = af
        self.count_label = QLabel(self.tr("受众：—"))
        self.count_label.setObjectName("audienceCount")
        self.count_label.setStyleSheet("font-weight:600")
        self.count_label.setWordWrap(True)
        af.addRow(self.count_label)
        lay.addWidget(box)
        # when
        when = QGroupBox(self.tr("发送时间"))
        wf = QFormLayout(when)
        quiet = QHBoxLayout()
        self.quiet_start = QSpinBox()
        self.quiet_start.setObjectName("quiet_start")
        self.quiet_end = QSpinBox()
        self.quiet_end.setObjectName("quiet_end")
        for sp, v in ((self.quiet_start, 21), (self.quiet_end, 8)):
            sp.setRange(0, 23)
            sp.setValue(v)
            sp.setSuffix(":00")
        quiet.addWidget(self.quiet_start)
        quiet.addWidget(QLabel("—"))
        quiet.addWidget(self.quiet_end)
        quiet.addWidget(QLabel(self.tr("（北京时间，起止相同则不限）")))
        quiet.addStretch(1)
        wf.addRow(self.tr("免打扰"), quiet)
        self.when_mode = QComboBox()
        self.when_mode.setObjectName("when_mode")
        self.when_mode.addItem(self.tr("批准后立即发送"), "now")
        self.when_mode.addItem(self.tr("定时发送"), "at")
        wf.addRow(self.tr("方式"), self.when_mode)
        self.at_edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.at_edit.setObjectName("send_at")
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        wf.addRow(self.tr("时间"), self.at_edit)
        lay.addWidget(when)
        # reason, confirmation, submit
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
        self.submit_btn = QPushButton(self.tr("提交审批"))
        self.submit_btn.setObjectName("submit")
        self.submit_btn.setDefault(True)
        self.submit_btn.setToolTip(self.tr("每个短信活动都需要另一位运营批准后才会发送（Ctrl+Enter）"))
        self.submit_btn.clicked.connect(self.submit)
        lay.addWidget(self.submit_btn)
        self.problems = QListWidget()
        self.problems.setObjectName("problems")
        self.problems.setMaximumHeight(110)
        lay.addWidget(self.problems)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(420)
        return scroll

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
        # campaigns and the report
        cw = QWidget()
        cl = QVBoxLayout(cw)
        self.campaign_model = CampaignModel(self)
        self.campaign_table = self._table("campaigns", self.campaign_model)
        self.campaign_table.selectionModel().currentRowChanged.connect(self._campaign_selected)
        cl.addWidget(self.campaign_table, 2)
        self.report_label = QLabel(self.tr("选择一个活动查看投递报表"))
        self.report_label.setObjectName("reportLabel")
        self.report_label.setWordWrap(True)
        cl.addWidget(self.report_label)
        self.chart = SmsReportChart()
        cl.addWidget(self.chart, 3)
        row = QHBoxLayout()
        self.refresh_report_btn = QPushButton(self.tr("查询回执"))
        self.refresh_report_btn.setObjectName("pollReceipts")
        self.refresh_report_btn.clicked.connect(lambda: self.load_report(self._report_id, poll=True))
        self.start_btn = QPushButton(self.tr("发送已批准的活动"))
        self.start_btn.setObjectName("startApproved")
        self.start_btn.clicked.connect(self.start_selected)
        self.cancel_reason = self._line("cancel_reason", self.tr("取消原因"))
        self.cancel_btn = QPushButton(self.tr("取消活动"))
        self.cancel_btn.setObjectName("cancelCampaign")
        self.cancel_btn.clicked.connect(self.cancel_selected)
        for w in (self.refresh_report_btn, self.start_btn, self.cancel_reason, self.cancel_btn):
            row.addWidget(w)
        cl.addLayout(row)
        self.tabs.addTab(cw, self.tr("活动与报表"))
        # approvals
        aw = QWidget()
        al = QVBoxLayout(aw)
        al.addWidget(QLabel(self.tr("等待第二位运营审批的短信活动（不能审批自己提交的活动）")))
        self.approval_model = ApprovalModel(self)
        self.approval_table = self._table("approvals", self.approval_model)
        al.addWidget(self.approval_table, 1)
        self.approval_note = self._line("approval_note", self.tr("审批意见（驳回时必填）"))
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
        # opt-outs
        ow = QWidget()
        ol = QVBoxLayout(ow)
        self.opt_search = self._line("opt_search", self.tr("按号码查找（数字）"))
        self.opt_search.returnPressed.connect(self.refresh_opt_outs)
        ol.addWidget(self.opt_search)
        self.opt_model = OptOutModel(self)
        self.opt_table = self._table("optOuts", self.opt_model)
        ol.addWidget(self.opt_table, 1)
        of = QFormLayout()
        self.opt_phone = self._line("opt_phone", self.tr("手机号，如 138 1234 1234"))
        self.opt_reason = self._line("opt_reason", self.tr("原因（添加与移除都写入审计）"))
        of.addRow(self.tr("手机号"), self.opt_phone)
        of.addRow(self.tr("原因"), self.opt_reason)
        ol.addLayout(of)
        orow = QHBoxLayout()
        self.opt_add_btn = QPushButton(self.tr("加入拒收名单"))
        self.opt_add_btn.setObjectName("optAdd")
        self.opt_add_btn.clicked.connect(self.add_opt_out)
        self.opt_remove_btn = QPushButton(self.tr("移出所选号码"))
        self.opt_remove_btn.setObjectName("optRemove")
        self.opt_remove_btn.clicked.connect(self.remove_opt_out)
        orow.addWidget(self.opt_add_btn)
        orow.addWidget(self.opt_remove_btn)
        ol.addLayout(orow)
        self.tabs.addTab(ow, self.tr("拒收名单"))
        return self.tabs

    def _wire(self) -> None:
        self.template_combo.currentIndexChanged.connect(self._template_changed)
        self.audience_mode.currentIndexChanged.connect(self._audience_mode_changed)
        self.days_spin.valueChanged.connect(self._audience_changed)
        self.ids_edit.textChanged.connect(self._audience_changed)
        self.when_mode.currentIndexChanged.connect(self._when_changed)

    # --- the composer ----------------------------------------------------------------------------

    def template(self) -> TemplateInfo | None:
        return self._templates.get(str(self.template_combo.currentData() or ""))

    def _template_changed(self) -> None:
        """Rebuild the variables form for the chosen template (values typed before are kept by name)."""
        old = {k: e.text() for k, e in self._var_edits.items()}
        while self.vars_form.rowCount():
            self.vars_form.removeRow(0)
        self._var_edits = {}
        tpl = self.template()
        for var in tpl.variables if tpl is not None else ():
            e = self._line(f"var_{var}", self.tr("${%1} 的值").replace("%1", var))
            e.setText(old.get(var, ""))
            e.textChanged.connect(self.update_preview)
            self.vars_form.addRow("${" + var + "}", e)
            self._var_edits[var] = e
        self.update_preview()

    def params(self) -> dict[str, str]:
        return {k: e.text() for k, e in self._var_edits.items()}

    def update_preview(self) -> None:
        """The text as the recipient reads it (signature included), its characters and billed parts."""
        tpl = self.template()
        if tpl is None:
            self.preview.setText(self.tr("（没有可用的模板：先从服务商同步一个已审核的模板）"))
            self.length_label.setText("")
            return
        filled = {k: v for k, v in self.params().items() if v.strip()}
        text = SmsTemplate(code=tpl.code, content=tpl.content).render(filled, self._sms.sign_name)
        self.preview.setText(text)
        n = sms_length(text)
        missing = [k for k in tpl.variables if k not in filled]
        line = self.tr("%1 字 · 按 %2 条计费").replace("%1", str(n.chars)).replace("%2", str(n.segments))
        if missing:
            line += " · " + self.tr("未填：") + ", ".join("${" + m + "}" for m in missing)
        self.length_label.setText(line)
        self.length_label.setStyleSheet("color:#8a1c12" if missing or n.segments > 1 else "")

    def audience(self) -> Audience:
        """The audience as chosen (raises InvalidInput for ids that are not ids, before any call)."""
        mode = str(self.audience_mode.currentData())
        if mode == "user_ids":
            ids, bad = parse_user_ids(self.ids_edit.toPlainText())
            if bad:
                shown = ", ".join(repr(b) for b in bad[:3]) + ("…" if len(bad) > 3 else "")
                raise InvalidInput("audience", f"not user ids: {shown}")
            if not ids:
                raise InvalidInput("audience", "the list of user ids is empty")
            return Audience(kind="user_ids", user_ids=ids)
        return Audience(kind="active_days" if mode == "active_days" else "registered_days", days=self.days_spin.value())

    def send_at(self) -> datetime | None:
        return aware(self.at_edit.dateTime()) if self.when_mode.currentData() == "at" else None

    def _audience_mode_changed(self) -> None:
        ids = self.audience_mode.currentData() == "user_ids"
        self._audience_form.setRowVisible(self.ids_edit, ids)
        self._audience_form.setRowVisible(self.days_spin, not ids)
        self._audience_changed()

    def _audience_changed(self) -> None:
        self.count_label.setText(self.tr("受众：计算中…"))
        self._count_timer.start()

    def _when_changed(self) -> None:
        self.at_edit.setEnabled(self.when_mode.currentData() == "at")

    def recount(self) -> None:
        """The live audience count (debounced; a newer count cancels the one in flight)."""
        try:
            audience = self.audience()
        except InvalidInput as e:
            self.count_label.setText(self.tr("受众：") + str(e).split(": ", 1)[-1])
            self._show_confirmation(None)
            return
        self.tasks.run("count", self._sms.count_audience(audience), on_done=self._show_count)

    def _show_count(self, count: AudienceCount) -> None:
        self._last_count = count
        text = self.tr("受众：%1 人").replace("%1", f"{count.recipients:,}")
        if count.opted_out:
            text += self.tr("（已排除拒收 %1 人）").replace("%1", f"{count.opted_out:,}")
        if not count.recipients:
            text = self.tr("受众：为空（没有可发送的用户）")
        self.count_label.setText(text)
        self._show_confirmation(count)
        self.counted.emit(count)

    def _show_confirmation(self, count: AudienceCount | None) -> None:
        need = count is not None and count.recipients > self._sms.confirm_threshold
        self._confirm_form.setRowVisible(self.confirm_label, need)
        self._confirm_form.setRowVisible(self.confirm_edit, need)
        if need and count is not None:
            self.confirm_label.setText(self.tr("此活动将发送给 %1 人。请在下方输入这个数字以确认。")
                                       .replace("%1", f"{count.recipients:,}"))

    def _confirm_size(self) -> int | None:
        text = self.confirm_edit.text().replace(",", "").replace("，", "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise InvalidInput("confirm_size", f"{self.confirm_edit.text()!r} is not a number")
        return int(text)

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
        if isinstance(exc, InvalidInput):
            self.show_problems([(exc.field, str(exc).split(": ", 1)[-1])])
            return
        if isinstance(exc, ApprovalRefused):
            own = "own" in str(exc)
            text = self.tr("不能审批自己提交的活动：需要另一位运营在其控制台批准") if own else describe(exc)
            self.show_problems([("approval", str(exc).split(": ", 1)[-1])])
            self.message_bar.show_message(text, "warning")
            return
        self.message_bar.show_error(exc)

    # --- actions -----------------------------------------------------------------------------------

    def submit(self) -> None:
        """Check the form, then create the campaign (snapshot + approval request). Nothing is sent here."""
        problems: list[tuple[str, str]] = []
        tpl = self.template()
        if tpl is None:
            problems.append(("template", self.tr("请选择一个已审核的模板")))
        else:
            problems += [(f"var.{k}", self.tr("必填")) for k, v in self.params().items() if not v.strip()]
        if not self.name_edit.text().strip():
            problems.append(("name", self.tr("必填")))
        if not self.reason_edit.text().strip():
            problems.append(("reason", self.tr("必填")))
        audience: Audience | None = None
        confirm: int | None = None
        try:
            audience = self.audience()
        except InvalidInput as e:
            problems.append((e.field, str(e).split(": ", 1)[-1]))
        try:
            confirm = self._confirm_size()
        except InvalidInput as e:
            problems.append((e.field, str(e).split(": ", 1)[-1]))
        at = self.send_at()
        if at is not None and at < datetime.now(UTC) - timedelta(minutes=1):
            problems.append(("schedule", self.tr("定时时间已过去：%1").replace("%1", fmt_time(at))))
        if problems or tpl is None or audience is None:
            self.show_problems(problems)
            return
        self.show_problems([])
        coro = self._sms.create_campaign(
            self.name_edit.text(), tpl.code, self.params(), audience, reason=self.reason_edit.text(),
            quiet_start=self.quiet_start.value(), quiet_end=self.quiet_end.value(), send_at=at, confirm_size=confirm)
        self.tasks.run("submit", coro, on_done=self._submitted, busy=self.tr("正在生成收件人名单…"))

    def _submitted(self, c: CampaignInfo) -> None:
        self._waiting_approval.add(c.id)
        self._report_id = c.id
        self.confirm_edit.clear()
        self.message_bar.show_message(
            self.tr("活动 #%1 已提交审批（%2 人）：需要另一位运营在其控制台批准后才会发送")
            .replace("%1", str(c.id)).replace("%2", f"{c.audience_size:,}"), "info")
        self.refresh()
        self.submitted.emit(c)

    def sync_template(self) -> None:
        code = self.sync_edit.text().strip()
        if not code:   # every template of the account
            def all_done(rows: list[TemplateInfo]) -> None:
                usable = sum(1 for r in rows if r.approved and r.kind in ("notice", "marketing"))
                self.message_bar.show_message(self.tr("已从服务商同步 %1 个模板，其中 %2 个可用于活动")
                                              .replace("%1", str(len(rows))).replace("%2", str(usable)), "info",
                                              timeout_ms=6000)
                self.refresh_templates()

            self.tasks.run("sync", self._sms.sync_templates(), on_done=all_done, busy=self.tr("正在同步模板…"))
            return

        def done(info: TemplateInfo) -> None:
            state = self.tr("已审核") if info.approved else self.tr("未通过审核，不能用于活动")
            self.message_bar.show_message(self.tr("模板 %1 已同步：%2").replace("%1", info.code).replace("%2", state),
                                          "info" if info.approved else "warning", timeout_ms=6000)
            self.sync_edit.clear()
            self.refresh_templates(select=info.code)

        self.tasks.run("sync", self._sms.sync_template(code), on_done=done, busy=self.tr("正在同步模板…"))

    def decide(self, approve: bool) -> None:
        idx = self.approval_table.currentIndex()
        if not idx.isValid():
            self.message_bar.show_message(self.tr("请先选择一条审批"), "warning", timeout_ms=3000)
            return
        a = self.approval_model.rows[idx.row()]
        note = self.approval_note.text().strip()
        coro = self._sms.approve(a.id, note) if approve else self._sms.reject(a.id, note)

        def done(info: ApprovalInfo) -> None:
            self.approval_note.clear()
            word = self.tr("已批准") if info.state == "approved" else self.tr("已驳回")
            self.message_bar.show_message(self.tr("审批 #%1 %2").replace("%1", str(info.id)).replace("%2", word),
                                          "info", timeout_ms=5000)
            self.refresh()

        self.tasks.run(f"decide:{a.id}", coro, on_done=done)

    def _selected_campaign(self) -> CampaignInfo | None:
        idx = self.campaign_table.currentIndex()
        return self.campaign_model.rows[idx.row()] if idx.isValid() else None

    def start_selected(self) -> None:
        c = self._selected_campaign()
        if c is not None:
            self.start(c.id)

    def start(self, campaign_id: int, *, quiet: bool = False) -> None:
        """Send (or resume) an approved campaign in this console. ``quiet``: another console sending it
        already is not an error (the automatic path)."""
        self._waiting_approval.discard(campaign_id)
        key = f"send:{campaign_id}"
        if self.tasks.running(key):
            return
        self.tasks.run(key, self._send(campaign_id, quiet), on_done=self._send_done)
        self.timer.start()

    async def _send(self, campaign_id: int, quiet: bool) -> CampaignReport | None:
        try:
            return await self._sms.send_campaign(campaign_id)
        except InvalidInput as e:
            if quiet and "another console" in str(e):
                return None
            raise

    def _send_done(self, report: CampaignReport | None) -> None:
        if report is None:
            return
        if report.waiting_until is not None:
            self.message_bar.show_message(
                self.tr("活动 #%1 将于 %2 开始发送（定时或免打扰时段）").replace("%1", str(report.campaign_id))
                .replace("%2", fmt_time(report.waiting_until)), "info", timeout_ms=8000)
        elif report.pending:
            self.message_bar.show_message(self.tr("活动 #%1 还有 %2 人待重试").replace("%1", str(report.campaign_id))
                                          .replace("%2", f"{report.pending:,}"), "warning", timeout_ms=8000)
        else:
            self.message_bar.show_message(
                self.tr("活动 #%1 发送完毕：%2 条已提交，%3 条失败").replace("%1", str(report.campaign_id))
                .replace("%2", f"{report.sent:,}").replace("%3", f"{report.failed:,}"), "info", timeout_ms=8000)
        if report.campaign_id == self._report_id:
            self._show_report(report)
        self.refresh_campaigns()

    def cancel_selected(self) -> None:
        c = self._selected_campaign()
        if c is None:
            return
        reason = self.cancel_reason.text().strip()
        def done(_c: CampaignInfo) -> None:
            self.cancel_reason.clear()
            self.refresh()

        self.tasks.run(f"cancel:{c.id}", self._sms.cancel_campaign(c.id, reason), on_done=done)

    def add_opt_out(self) -> None:
        phone, reason = self.opt_phone.text(), self.opt_reason.text()

        def done(added: bool) -> None:
            self.opt_phone.clear()
            self.message_bar.show_message(self.tr("已加入拒收名单") if added else self.tr("该号码已在拒收名单中"),
                                          "info", timeout_ms=4000)
            self.refresh_opt_outs()
            self._audience_changed()

        self.tasks.run("opt_add", self._sms.add_opt_out(phone, reason=reason), on_done=done)

    def remove_opt_out(self) -> None:
        idx = self.opt_table.currentIndex()
        if not idx.isValid():
            self.message_bar.show_message(self.tr("请先选择一个号码"), "warning", timeout_ms=3000)
            return
        row = self.opt_model.rows[idx.row()]

        def done(_removed: bool) -> None:
            self.opt_reason.clear()
            self.message_bar.show_message(self.tr("%1 已移出拒收名单").replace("%1", row.phone_masked), "info",
                                          timeout_ms=4000)
            self.refresh_opt_outs()
            self._audience_changed()

        self.tasks.run("opt_remove", self._sms.remove_opt_out(row.id, self.opt_reason.text()), on_done=done)

    # --- lists and the report ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Templates, campaigns, approvals and opt-outs; ``loaded`` when all four are in."""
        self._pending_loads = {"templates", "campaigns", "approvals", "opt_outs"}
        self.refresh_templates()
        self.refresh_campaigns()
        self.refresh_approvals()
        self.refresh_opt_outs()

    def _loaded_part(self, part: str) -> None:
        if part in self._pending_loads:
            self._pending_loads.discard(part)
            if not self._pending_loads:
                self.loaded.emit()

    def refresh_templates(self, *, select: str | None = None) -> None:
        def show(rows: list[TemplateInfo]) -> None:
            usable = [r for r in rows if r.approved and r.kind in ("notice", "marketing")]
            keep = select or str(self.template_combo.currentData() or "")
            self._templates = {r.code: r for r in usable}
            self.template_combo.blockSignals(True)
            self.template_combo.clear()
            for r in usable:
                kind = self.tr("营销") if r.kind == "marketing" else self.tr("通知")
                self.template_combo.addItem(f"{r.name or r.code} · {r.code} · {kind}", r.code)
                self.template_combo.setItemData(self.template_combo.count() - 1, r.content,
                                                Qt.ItemDataRole.ToolTipRole)
            i = self.template_combo.findData(keep)
            self.template_combo.setCurrentIndex(i if i >= 0 else 0 if usable else -1)
            self.template_combo.blockSignals(False)
            self._template_changed()
            self._loaded_part("templates")

        self.tasks.run("templates", self._sms.templates(), on_done=show)

    def refresh_campaigns(self) -> None:
        self.tasks.run("campaigns", self._sms.campaigns(), on_done=self._show_campaigns)

    def _show_campaigns(self, rows: list[CampaignInfo]) -> None:
        keep = self._report_id
        self.campaign_model.replace(rows)
        for i, c in enumerate(rows):
            if c.id == keep:
                self.campaign_table.selectRow(i)
                break
        else:
            if rows and keep is None:
                self.campaign_table.selectRow(0)
        for c in rows:
            if c.id in self._waiting_approval and c.state == "approved":
                self.message_bar.show_message(self.tr("活动 #%1 已获批准，开始发送").replace("%1", str(c.id)), "info",
                                              timeout_ms=5000)
                self.start(c.id, quiet=True)
            elif c.id in self._waiting_approval and c.state in ("rejected", "cancelled"):
                self._waiting_approval.discard(c.id)
                self.message_bar.show_message(self.tr("活动 #%1 被驳回").replace("%1", str(c.id)), "warning")
        if any(c.state == "sending" for c in rows) and not self.timer.isActive():
            self.timer.start()
        self._loaded_part("campaigns")

    def refresh_approvals(self) -> None:
        self.tasks.run("approvals", self._sms.approvals(), on_done=self._show_approvals)

    def _show_approvals(self, rows: list[ApprovalInfo]) -> None:
        current = self.approval_table.currentIndex()
        keep = self.approval_model.rows[current.row()].id if current.isValid() else None
        self.approval_model.replace(rows)
        idx = self.tabs.indexOf(self._approvals_tab)
        self.tabs.setTabText(idx, self.tr("审批") + (f" ({len(rows)})" if rows else ""))
        pick = next((i for i, a in enumerate(rows) if a.id == keep), 0 if rows else None)
        if pick is not None:
            self.approval_table.selectRow(pick)
        self._loaded_part("approvals")

    def refresh_opt_outs(self) -> None:
        def show(rows: list[OptOut]) -> None:
            self.opt_model.replace(rows)
            self._loaded_part("opt_outs")
            self.opt_outs_shown.emit(rows)

        self.tasks.run("opt_outs", self._sms.opt_outs(self.opt_search.text()), on_done=show)

    def _campaign_selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            c = self.campaign_model.rows[current.row()]
            if c.id != self._report_id or self._last_report is None or self._last_report.campaign_id != c.id:
                self._report_id = c.id
                self.load_report(c.id, poll=False)

    def load_report(self, campaign_id: int | None, *, poll: bool) -> None:
        """The stored figures, or (``poll``) the vendor asked for receipts first (QuerySendDetails)."""
        if campaign_id is None:
            return
        coro: Coroutine[Any, Any, CampaignReport]
        if poll and self._sms.gateway is not None:
            coro = self._sms.poll_deliveries(campaign_id)
        else:
            coro = self._sms.report(campaign_id)
        self.tasks.run("report", coro, on_done=self._show_report)

    def _tick_report(self) -> None:
        """While the shown campaign sends or waits for receipts: ask the vendor; else stop."""
        r = self._last_report
        running = any(c.state == "sending" for c in self.campaign_model.rows)
        waiting = r is not None and r.campaign_id == self._report_id and (r.awaiting_receipt > 0 or r.pending > 0
                                                                           or r.state == "sending")
        if self._report_id is not None and (running or waiting):
            if not self.tasks.running("report"):   # never cancel a vendor poll half way
                self.load_report(self._report_id, poll=True)
        elif not running:
            self.timer.stop()

    def _show_report(self, r: CampaignReport) -> None:
        if r.campaign_id != self._report_id:
            return
        self._last_report = r
        self.chart.show_report(r)
        c = next((x for x in self.campaign_model.rows if x.id == r.campaign_id), None)
        head = f"#{r.campaign_id} {c.name if c else ''} · {state_text(r.state)}"
        parts = [head, self.tr("共 %1 人 · 待发 %2 · 已发送 %3 · 已送达 %4 · 失败 %5 · 等待回执 %6 · 拒收跳过 %7")
                 .replace("%1", f"{r.total:,}").replace("%2", f"{r.pending:,}").replace("%3", f"{r.sent:,}")
                 .replace("%4", f"{r.delivered:,}").replace("%5", f"{r.failed + r.undelivered:,}")
                 .replace("%6", f"{r.awaiting_receipt:,}").replace("%7", f"{r.skipped_opt_out:,}")]
        if r.errors:
            parts.append(self.tr("错误：") + ", ".join(f"{k} ×{v}" for k, v in sorted(r.errors.items())))
        if r.waiting_until is not None:
            parts.append(self.tr("等待至 ") + fmt_time(r.waiting_until))
        self.report_label.setText(" · ".join(parts))
        if (r.awaiting_receipt or r.state == "sending") and not self.timer.isActive():
            self.timer.start()
        self.report_shown.emit(r)

    # --- main window hooks ----------------------------------------------------------------------------

    def on_shown(self) -> None:
        """The main window shows the pane: lists up to date, the live count."""
        self.refresh()
        self._count_timer.start()

    def on_changes(self, changes: Changes) -> None:
        """Events from other consoles: approval requests and decisions, campaign progress, opt-outs."""
        if changes.has("approvals"):
            self.refresh_approvals()
            self.refresh_campaigns()
        sms_refs = changes.topic("sms") if changes.has("sms") else set()
        if any(ref.startswith("campaign:") for ref in sms_refs) and not changes.has("approvals"):
            self.refresh_campaigns()
        if self._report_id is not None and f"campaign:{self._report_id}" in sms_refs \
                and not self.tasks.running("report"):
            self.load_report(self._report_id, poll=False)
        if "opt_outs" in sms_refs:
            self.refresh_opt_outs()
            self._audience_changed()

    async def load_showcase(self) -> None:
        """For ``--screenshot --pane sms``: a filled composer with its preview and count, and the report of a
        campaign really sent (in the training sandbox, one is sent and approved by the demo operators
        through the real service when none exists yet)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while self._sms.gateway is None and loop.time() < deadline:   # the sandbox connects it late
            await asyncio.sleep(0.2)
        loaded = self._future_of(self.loaded)
        self.refresh()
        await asyncio.wait_for(loaded, 15)
        sent = [c for c in self.campaign_model.rows if c.state in ("done", "sending")]
        if sent:
            self._report_id = sent[0].id
        if self._sandbox_gateway() and not await self._has_deliveries(sent[0].id if sent else None):
            from console.sandbox.sms import showcase_campaign  # the training sandbox only

            cid = await showcase_campaign(self._sms.engine, self._sms.gateway)
            self._report_id = cid
            loaded = self._future_of(self.loaded)
            self.refresh()
            await asyncio.wait_for(loaded, 15)
        if not self.name_edit.text():
            self.name_edit.setText("回归礼包 · 六月")
            i = self.template_combo.findData("SMS_245512083")
            if i >= 0:
                self.template_combo.setCurrentIndex(i)
            for k, v in {"gift": "金币×100", "days": "7"}.items():
                if k in self._var_edits:
                    self._var_edits[k].setText(v)
            self.audience_mode.setCurrentIndex(self.audience_mode.findData("active_days"))
            days = 30   # the shortest window with some users in it (a sandbox's data may be months old)
            for days in (30, 90, 180, 365, 730):
                if (await self._sms.count_audience(Audience(kind="active_days", days=days))).recipients >= 100:
                    break
            self.days_spin.setValue(days)
            self.reason_edit.setText("老用户召回")
        counted = self._future_of(self.counted)
        self.recount()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(counted, 10)
        if self._report_id is not None:
            for i, c in enumerate(self.campaign_model.rows):
                if c.id == self._report_id:
                    self.campaign_table.selectRow(i)
            # receipts arrive a few seconds after the send: ask until they are in (at most ~15 s)
            for _ in range(15):
                shown = self._future_of(self.report_shown)
                self.load_report(self._report_id, poll=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(shown, 10)
                r = self._last_report
                if r is not None and r.delivered and not r.awaiting_receipt:
                    break
                await asyncio.sleep(1.0)
        self.timer.stop()

    async def _has_deliveries(self, campaign_id: int | None) -> bool:
        """Whether the campaign has delivered messages (stored, or receipts the vendor has now)."""
        if campaign_id is None:
            return False
        report = await self._sms.poll_deliveries(campaign_id)
        return report.delivered > 0

    def _sandbox_gateway(self) -> bool:
        url = str(getattr(self._sms.gateway, "base_url", "") or "")
        return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")

    @staticmethod
    def _future_of(signal: Any) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        signal.connect(lambda *a: None if fut.done() else fut.set_result(a))
        return fut

    def shutdown(self) -> None:
        """The main window closes: timers off, tasks cancelled."""
        self.stop()

    def stop(self) -> None:
        """Closing: timers off, tasks cancelled."""
        for tm in (self.timer, self._count_timer):
            tm.stop()
        self.tasks.cancel()

    def save_state(self, s: QSettings) -> None:
        s.setValue("sms/splitter", self.splitter.saveState())
        s.setValue("sms/tab", self.tabs.currentIndex())
        s.setValue("sms/quiet", f"{self.quiet_start.value()},{self.quiet_end.value()}")

    def restore_state(self, s: QSettings) -> None:
        if (v := s.value("sms/splitter")) is not None:
            self.splitter.restoreState(v)
        if (v := s.value("sms/tab")) is not None:
            with contextlib.suppress(TypeError, ValueError):
                self.tabs.setCurrentIndex(int(str(v)))
        if (v := s.value("sms/quiet")) is not None:
            with contextlib.suppress(TypeError, ValueError):
                a, b = (int(x) for x in str(v).split(","))
                self.quiet_start.setValue(a)
                self.quiet_end.setValue(b)

