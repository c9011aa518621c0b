"""Fill resources/i18n/shihou_en.ts from the English glossary below (run after pyside6-lupdate)."""

from __future__ import annotations

import sys
from pathlib import Path

from defusedxml import ElementTree

EN = {
    "%1 天（%2 注册）": "%1 days (registered %2)", "%1 条": "%1 rows", "%1：%2%3 个结果，%4 ms": "%1: %2%3 results, %4 ms",
    "ID": "ID", "作者": "Author", "修改时间": "Changed", "全部时间": "All time", "共用设备": "Shared device",
    "关联账号（共用设备）": "Linked accounts (shared device)", "关闭": "Close", "内容": "Content",
    "内部错误（已写入日志）：": "Internal error (logged): ", "分类": "Category", "原因": "Reason",
    "原因（将记录在审计日志中）：": "Reason (recorded in the audit log):", "原因：": "Reason: ",
    "变更前：": "Before: ", "变更后：": "After: ", "可能的关联账号": "Possible alt account",
    "含曾用名": "Past nicknames", "型号": "Model", "处罚记录": "Sanctions", "备注": "Notes",
    "备注不能为空，且不超过 4000 字": "A note must not be empty or longer than 4000 characters",
    "备注已保存": "Note saved", "实时通知 (LISTEN/NOTIFY)": "live (LISTEN/NOTIFY)", "审计日志": "Audit log",
    "密码": "Password", "对象": "Target", "对象，如 user:10000001": "Target, e.g. user:10000001",
    "已连接": "connected", "平台": "Platform", "开始": "From", "房间": "Room", "手机号": "Phone",
    "手机号前缀": "Phone prefix", "执行人": "Issued by", "拥有的直播间": "Rooms owned", "推送": "Pushes",
    "操作人": "Actor", "数据库不可用：": "Database unavailable: ", "数据库版本过旧：": "Database out of date: ",
    "数据库：": "Database: ", "无法识别的查询：": "Query not understood: ", "时间": "Time", "昵称": "Nickname",
    "显示号码…": "Reveal…", "显示完整手机号": "Reveal the full phone number", "曾用名": "Past nickname",
    "曾用名匹配": "Matched past nickname", "最近": "Last seen", "最近 1 小时": "Last hour",
    "最近 24 小时": "Last 24 hours", "最近 30 天": "Last 30 days", "最近 7 天": "Last 7 days",
    "最近聊天": "Recent chat", "未找到：": "Not found: ",
    "权限不足：当前角色无权执行此操作（已记录审计）": "Not allowed for your role (audited)",
    "查找用户": "Find user", "查询": "Search", "查询内容过长（最多 64 个字符）": "Query too long (at most 64 characters)",
    "标题": "Title", "概况": "Profile", "模板": "Template", "正在保存备注…": "Saving note…",
    "正在加载审计日志…": "Loading the audit log…", "正在加载更多…": "Loading more…",
    "正在加载用户卡片…": "Loading the user card…", "正在查询…": "Searching…", "永久": "Permanent",
    "没有找到匹配的用户": "No matching user", "注册时间": "Registered", "注册渠道": "Channel",
    "添加备注": "Add note", "添加客服备注（Ctrl+Enter 保存，将记录审计）": "Add a support note (Ctrl+Enter saves; audited)",
    "状态": "Status", "狮吼直播控制台": "Shihou Console", "用户 ID": "User ID",
    "用户 ID、手机号（前缀）或昵称（含曾用名）— Ctrl+F": "User id, phone (prefix) or nickname (incl. past) — Ctrl+F",
    "用户名": "User name", "用户名或密码错误": "Wrong user name or password",
    "用户来电核实身份": "Caller identity check", "用户查询": "User lookup", "用途": "Purpose", "登录": "Sign in",
    "登录 — 狮吼直播控制台": "Sign in — Shihou Console", "短信": "SMS", "筛选": "Filter", "类型": "Kind",
    "结束": "Until", "结果": "Outcome", "自动": "Auto", "范围": "Scope", "角色": "Role", "解除": "Lifted",
    "设备": "Devices", "请填写原因": "A reason is required", "请输入用户 ID、手机号或昵称": "Enter a user id, phone or nickname",
    "账号年龄": "Account age", "轮询同步": "polling", "退出": "Quit",
    "选中一行查看变更前后与证据": "Select a row to see before/after and evidence",
    "选择一个用户查看详情（Enter）": "Select a user to see the card (Enter)", "通过曾用名匹配：": "Matched past nickname: ",
    "首次": "First seen", "，%1 项处罚生效中": ", %1 active sanctions",
    "编号": "No.", "操作": "Action", "尝试次数": "Attempts", "最后错误": "Last error", "排队中": "Queued",
    "失败": "Failed", "完成": "Done", "重试所选 (Enter)": "Retry selected (Enter)",
    "排队 %1 · 失败 %2": "Queued %1 · failed %2", "正在重试…": "Retrying…", "恢复推流": "Resume stream",
    "切断直播": "Cut stream", "复核后恢复": "Resumed after review", "误判": "False positive",
    "补充说明（可选）": "Details (optional)", "说明": "Details", "时长": "Duration", "恢复": "Resume", "切断": "Cut",
    "最近一小时": "Last hour", "视频 kbps": "Video kbps", "帧率": "FPS", "直播监控": "Room monitor",
    "操作队列": "Action queue", "新告警：": "New alert: ", "连接中断": "disconnected", "数据库错误": "database error",
    "房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复": "Room, title, streamer, category — Ctrl+F; X cuts, R resumes",
    "全部": "All", "仅告警": "Alerts only", "直播中": "Live", "已切断": "Cut",
    "选择一个房间查看健康曲线": "Select a room to see its health chart",
    "直播 %1 · 告警 %2 · 已切断 %3": "Live %1 · alerts %2 · cut %3", "直播告警": "Stream alert",
    "请先选择一个已登记的房间": "Select a registered room first", "正在执行…": "Working…", "已完成：": "Done: ",
    "已排队，将自动重试：": "Queued, will retry: ", "操作失败：": "Failed: ", "主播": "Streamer", "告警": "Alerts",
    "风险": "Risk", "观众": "Viewers", "音频 kbps": "Audio kbps", "分辨率": "Resolution", "关键帧": "Keyframe",
}


def main(path: str = "resources/i18n/shihou_en.ts") -> int:
    p = Path(path)
    tree = ElementTree.parse(p)
    missing = []
    for msg in tree.getroot().iter("message"):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is None:
            continue
        if src in EN:
            tr.text = EN[src]
            tr.attrib.pop("type", None)
        else:
            missing.append(src)
    tree.write(p, encoding="utf-8", xml_declaration=True)
    for m in missing:
        print("untranslated:", m, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
