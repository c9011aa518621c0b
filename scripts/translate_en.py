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
    "事件中断，重连中": "events interrupted, reconnecting",
    "房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复": "Room, title, streamer, category — Ctrl+F; X cuts, R resumes",
    "全部": "All", "仅告警": "Alerts only", "直播中": "Live", "已切断": "Cut",
    "选择一个房间查看健康曲线": "Select a room to see its health chart",
    "直播 %1 · 告警 %2 · 已切断 %3": "Live %1 · alerts %2 · cut %3", "直播告警": "Stream alert",
    "请先选择一个已登记的房间": "Select a registered room first", "正在执行…": "Working…", "已完成：": "Done: ",
    "已排队，将自动重试：": "Queued, will retry: ", "操作失败：": "Failed: ", "主播": "Streamer", "告警": "Alerts",
    "风险": "Risk", "观众": "Viewers", "音频 kbps": "Audio kbps", "分辨率": "Resolution", "关键帧": "Keyframe",
    # chat, push, preview/wall panes and the rest
    "空闲": "Idle", "静态截图": "Still image", "正在连接": "Connecting", "缓冲中": "Buffering", "离线": "Offline",
    "错误": "Error", "已暂停": "Paused",
    "人数": "Recipients", "申请人": "Requested by", "名称": "Name", "受众": "Audience", "到达人数": "Recipients",
    "创建人": "Created by", "用户": "User", "标记": "Flags", "多个房间": "Several rooms", "%1 人": "%1 users",
    "×%1 相似": "×%1 similar", "相似合并": "Similar merged", "已撤回": "Recalled", "首次发言": "First message",
    "新账号": "New account", "点击打开用户卡片": "Click to open the user card", "非平台用户": "Not a platform user",
    "点击打开房间预览": "Click to open the room preview",
    "聊天名单与设置": "Chat lists and settings", "原因（必填）": "Reason (required)",
    "全部（含全局禁言与全站封禁）": "All (incl. global gags and app-wide bans)", "解除所选": "Lift selected",
    "禁言 / 封禁": "Gags / blocks", "全员禁言": "Mute all", "白名单（全员禁言时仍可发言）":
    "Whitelist (may still chat while all are muted)",
    "用户 ID（多个用空格或逗号分隔，每次最多 5 个）": "User ids (separated by spaces or commas, at most 5 at a time)",
    "加入白名单": "Add to whitelist", "移出所选": "Remove selected", "白名单 / 全员禁言": "Whitelist / mute all",
    "已全员禁言": "All muted", "未禁言": "Not muted", "解除全员禁言": "Unmute all",
    "每次最多 5 个用户（融云限制）": "At most 5 users at a time (RongCloud limit)",
    "敏感词（≤32 字）": "Sensitive word (≤32 characters)",
    "替换为（留空 = 拦截整条消息）": "Replace with (empty = block the whole message)", "添加": "Add",
    "删除所选": "Delete selected", "导入 CSV…": "Import CSV…", "导出 CSV…": "Export CSV…", "敏感词": "Sensitive words",
    "导入敏感词 CSV": "Import sensitive words CSV", "CSV 文件 (*.csv *.txt)": "CSV files (*.csv *.txt)",
    "有效 %1 个词，%2 行有误": "%1 valid words, %2 bad lines", "导入 %1 个有效词": "Import %1 valid words",
    "（跳过有误的 %1 行）": " (skipping %1 bad lines)", "导出敏感词 CSV": "Export sensitive words CSV",
    "CSV 文件 (*.csv)": "CSV files (*.csv)", "已导出 %1 个词到 ": "Exported %1 words to ", "全选": "Select all",
    "全不选": "Select none", "发送到（可多选）": "Send to (several allowed)",
    "系统消息内容（纯文本）": "System message text (plain text)", "消息类型 objectName": "Message type objectName",
    "发送系统消息": "Send system message", "系统消息": "System message", "请选择至少一个房间": "Select at least one room",
    "请填写消息类型": "A message type is required",
    "自定义消息类型不能以 RC: 开头（融云保留）": "A custom message type must not start with RC: (reserved by RongCloud)",
    "消息内容为空": "The message is empty", "消息内容超过 128 KB": "The message is larger than 128 KB",
    "预案": "Preset", "应用到的房间": "Apply to rooms", "应用预案": "Apply preset",
    "本窗口启动的封锁（到期自动恢复，也可立即恢复）":
    "Lockdowns started here (revert when they expire, or revert now)",
    "立即恢复所选": "Revert selected now", "封锁预案": "Lockdown presets", "没有预案": "No preset",
    "全员禁言（白名单除外）": "Mute all (except the whitelist)",
    "禁言注册不足 %1 小时的新账号": "Gag accounts registered less than %1 hours ago",
    "本场敏感词：": "Sensitive words for this session: ", "%1 分钟后自动恢复": "Reverts after %1 minutes",
    "需手动恢复": "Revert by hand",
    "筛选房间": "Filter rooms", "专注模式：自动": "Focus mode: auto", "专注模式：开": "Focus mode: on",
    "专注模式：关": "Focus mode: off", "名单与设置…": "Lists and settings…",
    "J/K 选择 · 1 撤回 · 2 禁言10分钟 · 3 禁言1小时 · 4 本场禁言 · 5 封禁 · Enter 通过 · Ctrl+Z 撤销 · U 用户卡片":
    "J/K select · 1 recall · 2 gag 10 min · 3 gag 1 h · 4 gag for the session · 5 block · Enter approve"
    " · Ctrl+Z undo · U user card",
    "⚑ 全部标记消息（跨房间）": "⚑ All flagged messages (all rooms)", "全部房间": "All rooms",
    "  🔇已禁言": "  🔇muted", "全部标记消息（跨房间）": "All flagged messages (all rooms)",
    "正在读取聊天…": "Reading the chat…", "%1 条/秒": "%1 msg/s",
    "专注模式：消息过快（%1 条/秒），仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条":
    "Focus mode: messages too fast (%1/s); showing only flagged, first and new-account messages, floods merged;"
    " %2 hidden",
    "%1 条新消息 ↓": "%1 new messages ↓",
    "%1 条相似消息，%2 个发送者（操作将作用于全部发送者）":
    "%1 similar messages from %2 senders (actions apply to every sender)",
    "标记：": "Flags: ", "（共 %1 字）": " (%1 characters in all)",
    "此聊天室没有对应的平台房间：": "This chat room has no platform room: ",
    "发送者不是平台用户：": "The sender is not a platform user: ", "✓ 通过": "✓ Approved",
    "请先用 J/K 选择一条消息": "Select a message with J/K first",
    "%1 个发送者的 %2 条相似消息": "%2 similar messages from %1 senders", "处理中：": "Working: ",
    "已%1（%2 人）": "Done: %1 (%2 users)", "已%1：%2 人 — Ctrl+Z 撤销": "Done: %1, %2 users — Ctrl+Z to undo",
    "部分完成": "Partly done", "排队重试": "Queued for retry",
    "%1：%2/%3 人已完成，%4 人排队重试，%5 人失败（见操作队列）":
    "%1: %2/%3 users done, %4 queued for retry, %5 failed (see the action queue)",
    "已": "Done: ", "已%1 — Ctrl+Z 撤销": "Done: %1 — Ctrl+Z to undo", "排队重试：": "Queued for retry: ",
    "没有可撤销的操作（仅限 %1 秒内）": "Nothing to undo (only within %1 seconds)",
    "撤回的消息无法恢复（融云不支持撤销撤回）": "A recalled message cannot be restored (RongCloud cannot undo a recall)",
    "撤销：": "Undo: ", "已撤销：": "Undone: ",
    "正在启动…": "Starting…", "多路预览": "Video wall", "聊天审核": "Chat moderation",
    "该房间当前未开播": "This room is not live",
    "拖入或打开一个房间": "Drop or open a room",
    "当前显示平台（%1）无法嵌入 libvlc 视频窗口": "The display platform (%1) cannot embed a libvlc video window",
    "后备播放器（Qt Multimedia）：": "Fallback player (Qt Multimedia): ",
    "。首帧更慢，其余功能相同。": ". The first frame is slower; everything else works the same.",
    "取消静音": "Unmute", "静音": "Mute", "解码预算已满：显示定时刷新的截图": "Decode budget full: showing periodic stills",
    "解码预算已满：暂无截图": "Decode budget full: no still yet", "不可见时暂停解码": "Decoding paused while hidden",
    "正在连接直播…": "Connecting to the stream…", "%1 秒后重试（第 %2 次）": "Retrying in %1 s (attempt %2)",
    "主播当前没有推流（已下播或被切断）": "The streamer is not pushing a stream (ended or cut)",
    "播放器无法打开此流": "The player cannot open this stream",
    "%1 秒内没有画面：流可能已损坏或编码不受支持": "No picture for %1 s: the stream may be broken or its codec unsupported",
    "直播已结束或被切断": "The stream ended or was cut", "截图": "Snapshot", "上次画面": "Last frame",
    "静态 · ": "Still · ",
    "活动名称（仅内部可见）": "Campaign name (internal only)", "通知标题": "Notification title",
    "通知正文": "Notification text", "正文": "Text", "（默认同上）": "(same as above by default)",
    "副标题（可选）": "Subtitle (optional)", "副标题": "Subtitle", "平台覆盖": "Per-platform overrides",
    "不变": "Unchanged", "设置为": "Set to", "增加": "Increase by", "清除": "Clear", "角标": "Badge",
    "铃声文件名（空：静音）": "Sound file name (empty: silent)", "铃声": "Sound",
    "直播间 ID（深链 shihou://room/…）": "Room id (deep link shihou://room/…)", "跳转直播间": "Open room",
    "附加字段": "Extras", "默认（1 天）": "Default (1 day)", " 秒": " s", "离线保留": "Offline TTL",
    "用途 / 原因（写入审计）": "Purpose / reason (written to the audit log)",
    "输入受众人数以确认": "Type the audience size to confirm", "确认人数": "Confirm size", "校验": "Validate",
    "测试发送": "Send test", "发送到锁定的测试受众：": "Send to the locked test audience: ", "发送": "Send",
    "数据库分群": "Database segment", "标签": "Tags", "别名": "Aliases", "设备 ID": "Device ids",
    "全部用户": "All users", "方式": "By", "任一标签（逗号分隔）": "Any of the tags (comma-separated)",
    "同时具有": "All of", "排除": "None of", "别名（用户 ID），逗号或换行分隔": "Aliases (user ids), comma or newline separated",
    "Registration ID，逗号或换行分隔": "Registration ids, comma or newline separated",
    "近 N 天活跃": "Active in the last N days", "近 N 天注册": "Registered in the last N days",
    "在该直播间发言过的用户（房间 ID）": "Users who chatted in this room (room id)", "任意设备": "Any device",
    "分群": "Segment", "标签(或)": "Tags (any)", "标签(且)": "Tags (all)", "标签(非)": "Tags (none)",
    "受众：—": "Audience: —", "发送时间": "Send time", "立即发送": "Send now", "定时一次": "Once, scheduled",
    "周期发送": "Recurring", "每天": "Daily", "每周": "Weekly", "每月": "Monthly",
    "周：MON,FRI；月：01,15": "Week: MON,FRI; month: 01,15", "周期": "Repeat", "日期": "Dates",
    "预览（锁屏 / 横幅）": "Preview (lock screen / banner)", "载荷大小": "Payload size", "预估：—": "Estimate: —",
    "问题": "Problems", "选择一个活动查看报表": "Select a campaign to see its report", "刷新报表": "Refresh report",
    "发送已批准的活动": "Send approved campaign", "取消活动": "Cancel campaign", "活动与报表": "Campaigns and reports",
    "等待第二位运营审批的推送（全员推送必须由他人批准）":
    "Pushes awaiting a second operator's approval (a push to all users must be approved by someone else)",
    "审批意见（可选）": "Approval note (optional)", "批准": "Approve", "驳回": "Reject", "审批": "Approvals",
    "改期（一次性）": "Reschedule (one-off)", "取消定时": "Cancel schedule", "改期 / 取消原因": "Reason to reschedule / cancel",
    "定时任务": "Schedules", "（超出 %1 B）": " (%1 B over)", "受众：计算中…": "Audience: counting…",
    "受众：": "Audience: ", "受众：为空": "Audience: empty", "受众：%1 人 · %2 次推送": "Audience: %1 users · %2 pushes",
    "受众：至多 %1 人（估算）": "Audience: at most %1 users (estimate)", "受众：人数未知": "Audience: size unknown",
    "此推送将到达 %1 人。请在下方输入这个数字以确认。": "This push will reach %1 users. Type that number below to confirm.",
    "创建定时推送": "Create scheduled push", "有 %1 处需要修改，未发送任何内容": "%1 problems to fix; nothing was sent",
    "正在校验…": "Validating…",
    "预估：%1 次推送，按 %2 次/分钟约 %3 分钟完成（%4）": "Estimate: %1 pushes at %2/min, about %3 min (%4)",
    "⚠ 全员推送需要另一位运营批准": "⚠ A push to all users needs another operator's approval",
    "校验通过": "Validation passed", "正在发送…": "Sending…", "正在测试发送…": "Sending test…",
    "已提交审批：需要另一位运营在其控制台批准后才会发送":
    "Submitted for approval: it is sent once another operator approves it in their console",
    "定时推送已创建": "Scheduled push created", "活动 #%1 %2": "Campaign #%1 %2",
    "请先选择一条审批": "Select an approval first", "运营取消": "Cancelled by operator",
    "活动 #%1 被驳回": "Campaign #%1 rejected", "推送 %1/%2 · 到达人数 %3": "Pushes %1/%2 · recipients %3",
    "到达 %1 · 点击 %2": "Received %1 · clicked %2", "更新于 ": "Updated ", "最后错误：": "Last error: ",
    "Enter 确认 · 数字键选择原因并确认 · Esc 取消": "Enter confirms · a digit picks a reason and confirms · Esc cancels",
    "到达与点击（按平台）": "Received and clicked (by platform)", "到达": "Received", "点击": "Clicked",
    "房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复，P 预览":
    "Room, title, streamer, category — Ctrl+F; X cuts, R resumes, P previews",
    "该房间最近的截图": "The room's latest snapshot", "暂无截图": "No snapshot yet", "画面": "Picture",
    "到期": "Expires", "禁言": "Gag", "封禁": "Block", "全站封禁": "App-wide ban", "全局": "Global", "全站": "App-wide",
    "活动": "Campaign", "重发验证码…": "Resend code…",
    "按号码限频（1 条/分钟，5 条/小时，10 条/天），记录审计":
    "Rate-limited per number (1/minute, 5/hour, 10/day); audited",
    "重发验证码": "Resend verification code", "用户反映未收到验证码": "User reports the code never arrived",
    "验证码已发送": "Verification code sent", "发送失败：": "Sending failed: ", "正在发送验证码…": "Sending the code…",
    "布局 %1（Alt+%2）": "Layout %1 (Alt+%2)",
    "从直播监控拖入房间；点击选中画面（有声）；X 切断 · S 截图 · M 静音 · Delete 移除":
    "Drag rooms in from the room monitor; click a tile to select it (with sound); X cut · S snapshot · M mute"
    " · Delete remove",
    "（无）": "(none)", "未配置视频服务 %1，无法播放（已配置：%2）": "Video service %1 is not configured; cannot play (configured: %2)",
    "解码 %1 路（预算 %2%）": "Decoding %1 streams (budget %2%)",
    " · %1 路超出预算，显示截图": " · %1 over budget, showing stills", "已截图：": "Snapshot saved: ",
    "截图失败：": "Snapshot failed: ", "请先选中一个已登记的房间": "Select a registered room first",
    "替换为": "Replace with", "来源": "Source", "添加人": "Added by", "拦截": "Block", "替换": "Replace",
    "封锁预案（本场）": "Lockdown preset (this session)", "常驻": "Permanent",
}


def _glossary() -> dict[str, str]:
    """EN plus scripts/en_glossary.tsv (source<TAB>English, one per line; the panes' newer strings)."""
    out = dict(EN)
    tsv = Path(__file__).with_name("en_glossary.tsv")
    if tsv.exists():
        for line in tsv.read_text(encoding="utf-8").splitlines():
            src, _, en = line.partition("\t")
            if src and en:
                out.setdefault(src, en.split("\t")[0])
    return out


def main(path: str = "resources/i18n/shihou_en.ts") -> int:
    en = _glossary()
    p = Path(path)
    tree = ElementTree.parse(p)
    missing = []
    for msg in tree.getroot().iter("message"):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is None:
            continue
        if src in en:
            tr.text = en[src]
            tr.attrib.pop("type", None)
        else:
            missing.append(src)
    tree.write(p, encoding="utf-8", xml_declaration=True)
    for m in missing:
        print("untranslated:", m, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
