<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name />
    <message>
        <location filename="../../console/views/feedback.py" line="28" />
        <source>查询内容过长（最多 64 个字符）</source>
        <translation>Query too long (at most 64 characters)</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="30" />
        <source>请输入用户 ID、手机号或昵称</source>
        <translation>Enter a user id, phone or nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="31" />
        <source>无法识别的查询：</source>
        <translation>Query not understood: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="33" />
        <source>备注不能为空，且不超过 4000 字</source>
        <translation>A note must not be empty or longer than 4000 characters</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="35" />
        <source>请填写原因</source>
        <translation>A reason is required</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="38" />
        <source>权限不足：当前角色无权执行此操作（已记录审计）</source>
        <translation>Not allowed for your role (audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="40" />
        <source>用户名或密码错误</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="42" />
        <source>未找到：</source>
        <translation>Not found: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="44" />
        <source>数据库版本过旧：</source>
        <translation>Database out of date: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="46" />
        <source>数据库不可用：</source>
        <translation>Database unavailable: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="49" />
        <source>内部错误（已写入日志）：</source>
        <translation>Internal error (logged): </translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="128" />
        <source>空闲</source>
        <translation>Idle</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="128" />
        <source>静态截图</source>
        <translation>Still image</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="128" />
        <source>正在连接</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="129" />
        <source>直播中</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="129" />
        <source>缓冲中</source>
        <translation>Buffering</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="129" />
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="130" />
        <source>错误</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="130" />
        <source>已暂停</source>
        <translation>Paused</translation>
    </message>
</context>
<context>
    <name>ActionModel</name>
    <message>
        <location filename="../../console/views/action_queue.py" line="33" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="33" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="33" />
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="33" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="33" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="34" />
        <source>尝试次数</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="34" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="34" />
        <source>最后错误</source>
        <translation>Last error</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="41" />
        <source>排队中</source>
        <translation>Queued</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="41" />
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="42" />
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>ActionQueuePane</name>
    <message>
        <location filename="../../console/views/action_queue.py" line="71" />
        <source>重试所选 (Enter)</source>
        <translation>Retry selected (Enter)</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="101" />
        <source>排队 %1 · 失败 %2</source>
        <translation>Queued %1 · failed %2</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="111" />
        <source>正在重试…</source>
        <translation>Retrying…</translation>
    </message>
</context>
<context>
    <name>ApprovalModel</name>
    <message>
        <location filename="../../console/views/sms.py" line="163" />
        <location filename="../../console/views/push.py" line="274" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="163" />
        <location filename="../../console/views/push.py" line="274" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="163" />
        <location filename="../../console/views/push.py" line="274" />
        <source>人数</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="163" />
        <location filename="../../console/views/push.py" line="274" />
        <source>申请人</source>
        <translation>Requested by</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="163" />
        <location filename="../../console/views/push.py" line="274" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../console/views/audit.py" line="54" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="54" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="54" />
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="54" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="54" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="55" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="55" />
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
</context>
<context>
    <name>AuditPane</name>
    <message>
        <location filename="../../console/views/audit.py" line="111" />
        <location filename="../../console/views/audit.py" line="125" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="113" />
        <source>对象，如 user:10000001</source>
        <translation>Target, e.g. user:10000001</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="121" />
        <source>全部时间</source>
        <translation>All time</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="121" />
        <source>最近 1 小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="121" />
        <source>最近 24 小时</source>
        <translation>Last 24 hours</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="122" />
        <source>最近 7 天</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="122" />
        <source>最近 30 天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="123" />
        <source>筛选</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="125" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="125" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="140" />
        <source>选中一行查看变更前后与证据</source>
        <translation>Select a row to see before/after and evidence</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="191" />
        <source>正在加载审计日志…</source>
        <translation>Loading the audit log…</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="206" />
        <location filename="../../console/views/audit.py" line="230" />
        <source>%1 条</source>
        <translation>%1 rows</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="245" />
        <source>原因：</source>
        <translation>Reason: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="247" />
        <source>变更前：</source>
        <translation>Before: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="249" />
        <source>变更后：</source>
        <translation>After: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="252" />
        <source>证据：</source>
        <translation>Evidence: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="269" />
        <source>直播画面</source>
        <translation>Live frame</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="269" />
        <source>静态截图</source>
        <translation>Still image</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="270" />
        <source>无画面</source>
        <translation>No picture</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="277" />
        <source>截图不在本机，或文件与记录的 sha256 不符</source>
        <translation>The frame is not on this machine, or the file no longer matches its recorded sha256</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="279" />
        <source>没有截图：</source>
        <translation>No frame: </translation>
    </message>
</context>
<context>
    <name>CampaignModel</name>
    <message>
        <location filename="../../console/views/sms.py" line="142" />
        <location filename="../../console/views/push.py" line="252" />
        <source>编号</source>
        <extracomment>Report bars: (label, colour).</extracomment>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="142" />
        <location filename="../../console/views/push.py" line="252" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="142" />
        <location filename="../../console/views/push.py" line="252" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="142" />
        <location filename="../../console/views/push.py" line="252" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="142" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <source>人数</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <source>拒收跳过</source>
        <translation>Skipped (opted out)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <source>定时</source>
        <translation>Scheduled</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <source>创建时间</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="252" />
        <source>推送</source>
        <translation>Pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="253" />
        <source>到达人数</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <location filename="../../console/views/push.py" line="253" />
        <source>创建人</source>
        <translation>Created by</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="253" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
</context>
<context>
    <name>ChatFeedModel</name>
    <message>
        <location filename="../../console/views/chat.py" line="279" />
        <source>时间</source>
        <extracomment>row_key of each row (C-speed look-ups) a serial per row, increasing downwards (bisect finds a key) row key -&gt; its serial row key -&gt; "已禁言10分钟" / "✓ 通过" (what this console did) append() calls that changed rows (tests, bench) rows dropped at the top of the window</extracomment>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="279" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="279" />
        <source>用户</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="279" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="279" />
        <source>标记</source>
        <translation>Flags</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="309" />
        <source>多个房间</source>
        <translation>Several rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="310" />
        <source>%1 人</source>
        <translation>%1 users</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="311" />
        <source>×%1 相似</source>
        <translation>×%1 similar</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="312" />
        <source>相似合并</source>
        <translation>Similar merged</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="314" />
        <location filename="../../console/views/chat.py" line="321" />
        <source>已撤回</source>
        <translation>Recalled</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="325" />
        <source>首次发言</source>
        <translation>First message</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="327" />
        <source>新账号</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="346" />
        <source>点击打开用户卡片</source>
        <translation>Click to open the user card</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="346" />
        <source>非平台用户</source>
        <translation>Not a platform user</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="348" />
        <source>点击打开房间预览</source>
        <translation>Click to open the room preview</translation>
    </message>
</context>
<context>
    <name>ChatListsDialog</name>
    <message>
        <location filename="../../console/views/chat_lists.py" line="274" />
        <source>聊天名单与设置</source>
        <translation>Chat lists and settings</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="298" />
        <source>原因（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="317" />
        <source>请填写原因</source>
        <translation>A reason is required</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="324" />
        <source>全部（含全局禁言与全站封禁）</source>
        <translation>All (incl. global gags and app-wide bans)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="341" />
        <source>正在执行…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="370" />
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="372" />
        <source>解除所选</source>
        <translation>Lift selected</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="380" />
        <source>禁言 / 封禁</source>
        <translation>Gags / blocks</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="427" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="430" />
        <location filename="../../console/views/chat_lists.py" line="463" />
        <source>全员禁言</source>
        <translation>Mute all</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="438" />
        <source>白名单（全员禁言时仍可发言）</source>
        <translation>Whitelist (may still chat while all are muted)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="443" />
        <source>用户 ID（多个用空格或逗号分隔，每次最多 5 个）</source>
        <translation>User ids (separated by spaces or commas, at most 5 at a time)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="444" />
        <source>加入白名单</source>
        <translation>Add to whitelist</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="445" />
        <source>移出所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="450" />
        <source>白名单 / 全员禁言</source>
        <translation>Whitelist / mute all</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="461" />
        <source>已全员禁言</source>
        <translation>All muted</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="461" />
        <source>未禁言</source>
        <translation>Not muted</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="463" />
        <source>解除全员禁言</source>
        <translation>Unmute all</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="473" />
        <source>每次最多 5 个用户（融云限制）</source>
        <translation>At most 5 users at a time (RongCloud limit)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="506" />
        <source>敏感词（≤32 字）</source>
        <translation>Sensitive word (≤32 characters)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="509" />
        <source>替换为（留空 = 拦截整条消息）</source>
        <translation>Replace with (empty = block the whole message)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="511" />
        <source>添加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="512" />
        <source>删除所选</source>
        <translation>Delete selected</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="513" />
        <source>导入 CSV…</source>
        <translation>Import CSV…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="515" />
        <source>导出 CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="530" />
        <source>敏感词</source>
        <translation>Sensitive words</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="567" />
        <source>导入敏感词 CSV</source>
        <translation>Import sensitive words CSV</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="567" />
        <source>CSV 文件 (*.csv *.txt)</source>
        <translation>CSV files (*.csv *.txt)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="581" />
        <source>有效 %1 个词，%2 行有误</source>
        <translation>%1 valid words, %2 bad lines</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="586" />
        <source>导入 %1 个有效词</source>
        <translation>Import %1 valid words</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="588" />
        <source>（跳过有误的 %1 行）</source>
        <translation> (skipping %1 bad lines)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="605" />
        <source>导出敏感词 CSV</source>
        <translation>Export sensitive words CSV</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="605" />
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="617" />
        <source>已导出 %1 个词到 </source>
        <translation>Exported %1 words to </translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="626" />
        <source>全选</source>
        <translation>Select all</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="627" />
        <source>全不选</source>
        <translation>Select none</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="628" />
        <source>发送到（可多选）</source>
        <translation>Send to (several allowed)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="640" />
        <source>系统消息内容（纯文本）</source>
        <translation>System message text (plain text)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="642" />
        <source>消息类型 objectName</source>
        <translation>Message type objectName</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="643" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="645" />
        <source>发送系统消息</source>
        <translation>Send system message</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="648" />
        <source>系统消息</source>
        <translation>System message</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="663" />
        <location filename="../../console/views/chat_lists.py" line="761" />
        <source>请选择至少一个房间</source>
        <translation>Select at least one room</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="665" />
        <source>请填写消息类型</source>
        <translation>A message type is required</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="667" />
        <source>自定义消息类型不能以 RC: 开头（融云保留）</source>
        <translation>A custom message type must not start with RC: (reserved by RongCloud)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="669" />
        <source>消息内容为空</source>
        <translation>The message is empty</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="671" />
        <source>消息内容超过 128 KB</source>
        <translation>The message is larger than 128 KB</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="694" />
        <source>预案</source>
        <translation>Preset</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="703" />
        <source>应用到的房间</source>
        <translation>Apply to rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="705" />
        <source>应用预案</source>
        <translation>Apply preset</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="708" />
        <source>本窗口启动的封锁（到期自动恢复，也可立即恢复）</source>
        <translation>Lockdowns started here (revert when they expire, or revert now)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="713" />
        <source>立即恢复所选</source>
        <translation>Revert selected now</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="716" />
        <source>封锁预案</source>
        <translation>Lockdown presets</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="741" />
        <source>没有预案</source>
        <translation>No preset</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="745" />
        <source>全员禁言（白名单除外）</source>
        <translation>Mute all (except the whitelist)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="747" />
        <source>禁言注册不足 %1 小时的新账号</source>
        <translation>Gag accounts registered less than %1 hours ago</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="749" />
        <source>本场敏感词：</source>
        <translation>Sensitive words for this session: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="750" />
        <source>%1 分钟后自动恢复</source>
        <translation>Reverts after %1 minutes</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="751" />
        <source>需手动恢复</source>
        <translation>Revert by hand</translation>
    </message>
</context>
<context>
    <name>ChatPane</name>
    <message>
        <location filename="../../console/views/chat.py" line="804" />
        <source>筛选房间</source>
        <extracomment>flood rows whose new count waits for GROUP_REFRESH_S: row key -&gt; (group, lines it counted, shown at) lines left out by focus mode in this feed lines added while auto-scroll was paused lines that reached the model: as their own row, or counted into a flood row (bench) lines left out by focus mode (counted in the banner), every feed (bench) called with every line as it leaves the queue for the model (bench: which ids were placed) lines read from the database (bench)</extracomment>
        <translation>Filter rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="824" />
        <source>专注模式：自动</source>
        <translation>Focus mode: auto</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="824" />
        <source>专注模式：开</source>
        <translation>Focus mode: on</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="825" />
        <source>专注模式：关</source>
        <translation>Focus mode: off</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="827" />
        <source>名单与设置…</source>
        <translation>Lists and settings…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="880" />
        <source>J/K 选择 · 1 撤回 · 2 禁言10分钟 · 3 禁言1小时 · 4 本场禁言 · 5 封禁 · Enter 通过 · Ctrl+Z 撤销 · U 用户卡片</source>
        <translation>J/K select · 1 recall · 2 gag 10 min · 3 gag 1 h · 4 gag for the session · 5 block · Enter approve · Ctrl+Z undo · U user card</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="983" />
        <source>⚑ 全部标记消息（跨房间）</source>
        <translation>⚑ All flagged messages (all rooms)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="983" />
        <location filename="../../console/views/chat.py" line="1022" />
        <source>全部房间</source>
        <translation>All rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="988" />
        <source>  🔇已禁言</source>
        <translation>  🔇muted</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1020" />
        <source>全部标记消息（跨房间）</source>
        <translation>All flagged messages (all rooms)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1062" />
        <source>正在读取聊天…</source>
        <translation>Reading the chat…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1297" />
        <source>%1 条/秒</source>
        <translation>%1 msg/s</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1300" />
        <source>专注模式（手动开启，%1 条/秒）：仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条</source>
        <translation>Focus mode (switched on, %1 msg/s): flagged lines, first messages and new accounts only, floods merged; %2 hidden</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1305" />
        <source>专注模式：消息过快（%1 条/秒），仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条</source>
        <translation>Focus mode: messages too fast (%1/s); showing only flagged, first and new-account messages, floods merged; %2 hidden</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1313" />
        <source>%1 条新消息 ↓</source>
        <translation>%1 new messages ↓</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1357" />
        <source>%1 条相似消息，发送者超过 %2 人（操作只作用于最先的 %2 人）</source>
        <translation>%1 similar messages from more than %2 senders (an action reaches the first %2 only)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1360" />
        <source>%1 条相似消息，%2 个发送者（操作将作用于全部发送者）</source>
        <translation>%1 similar messages from %2 senders (actions apply to every sender)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1365" />
        <source>标记：</source>
        <translation>Flags: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1366" />
        <source>（共 %1 字）</source>
        <translation> (%1 characters in all)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1389" />
        <source>此聊天室没有对应的平台房间：</source>
        <translation>This chat room has no platform room: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1396" />
        <source>发送者不是平台用户：</source>
        <translation>The sender is not a platform user: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1431" />
        <source>✓ 通过</source>
        <translation>✓ Approved</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1443" />
        <source>请先用 J/K 选择一条消息</source>
        <translation>Select a message with J/K first</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1468" />
        <source>%2 条相似消息中最先的 %1 个发送者</source>
        <translation>the first %1 senders of %2 similar messages</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1470" />
        <source>%1 个发送者的 %2 条相似消息</source>
        <translation>%2 similar messages from %1 senders</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1476" />
        <source>处理中：</source>
        <translation>Working: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1500" />
        <source>已%1（%2 人）</source>
        <translation>Done: %1 (%2 users)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1502" />
        <source>已%1：%2 人 — Ctrl+Z 撤销</source>
        <translation>Done: %1, %2 users — Ctrl+Z to undo</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1506" />
        <source>部分完成</source>
        <translation>Partly done</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1506" />
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1506" />
        <source>排队重试</source>
        <translation>Queued for retry</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1509" />
        <source>%1：%2/%3 人已完成，%4 人排队重试，%5 人失败（见操作队列）</source>
        <translation>%1: %2/%3 users done, %4 queued for retry, %5 failed (see the action queue)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1515" />
        <source>已</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1516" />
        <source>已%1 — Ctrl+Z 撤销</source>
        <translation>Done: %1 — Ctrl+Z to undo</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1519" />
        <source>排队重试：</source>
        <translation>Queued for retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1520" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1523" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1530" />
        <source>没有可撤销的操作（仅限 %1 秒内）</source>
        <translation>Nothing to undo (only within %1 seconds)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1535" />
        <source>撤回的消息无法恢复（融云不支持撤销撤回）</source>
        <translation>A recalled message cannot be restored (RongCloud cannot undo a recall)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1538" />
        <source>撤销：</source>
        <translation>Undo: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1546" />
        <location filename="../../console/views/chat.py" line="1547" />
        <source>已撤销：</source>
        <translation>Undone: </translation>
    </message>
</context>
<context>
    <name>CutDialog</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="817" />
        <source>恢复推流</source>
        <extracomment>rows rendered (not re-blitted), for tests and the benchmark gets the focus when the sheet closes</extracomment>
        <translation>Resume stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="817" />
        <source>切断直播</source>
        <translation>Cut stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="828" />
        <source>复核后恢复</source>
        <translation>Resumed after review</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="828" />
        <source>误判</source>
        <translation>False positive</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="831" />
        <source>补充说明（可选）</source>
        <translation>Details (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="832" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="833" />
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="838" />
        <source>时长</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="842" />
        <source>恢复</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="842" />
        <source>切断</source>
        <translation>Cut</translation>
    </message>
</context>
<context>
    <name>HealthChart</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="904" />
        <source>最近一小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="909" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="911" />
        <source>帧率</source>
        <translation>FPS</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../console/views/login.py" line="32" />
        <source>登录 — 狮吼直播控制台</source>
        <translation>Sign in — Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="37" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="46" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="47" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="49" />
        <source>数据库：</source>
        <translation>Database: </translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="58" />
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="59" />
        <source>退出</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../console/views/main_window.py" line="50" />
        <location filename="../../console/views/main_window.py" line="96" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="59" />
        <source>正在启动…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="100" />
        <source>用户查询</source>
        <translation>User lookup</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="108" />
        <source>直播监控</source>
        <translation>Room monitor</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="109" />
        <source>多路预览</source>
        <translation>Video wall</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="116" />
        <source>聊天审核</source>
        <translation>Chat moderation</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="122" />
        <source>推送</source>
        <translation>Pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="126" />
        <source>短信群发</source>
        <translation>SMS campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="128" />
        <source>操作队列</source>
        <translation>Action queue</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="130" />
        <source>审计日志</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="143" />
        <source>数据库：</source>
        <translation>Database: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="145" />
        <source>实时通知 (LISTEN/NOTIFY)</source>
        <translation>live (LISTEN/NOTIFY)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="145" />
        <source>轮询同步</source>
        <translation>polling</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="146" />
        <location filename="../../console/views/main_window.py" line="228" />
        <source>已连接</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="202" />
        <source>该房间当前未开播</source>
        <translation>This room is not live</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="224" />
        <source>新告警：</source>
        <translation>New alert: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="230" />
        <source>连接中断</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="234" />
        <source>数据库错误</source>
        <translation>database error</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../../console/views/feedback.py" line="72" />
        <source>关闭</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>OptOutModel</name>
    <message>
        <location filename="../../console/views/sms.py" line="181" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="181" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="181" />
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="181" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="181" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
</context>
<context>
    <name>PreviewPlayer</name>
    <message>
        <location filename="../../console/views/preview.py" line="811" />
        <location filename="../../console/views/preview.py" line="885" />
        <source>拖入或打开一个房间</source>
        <extracomment>libvlc_video_format_cb with a writable chroma (python-vlc declares it ``c_char_p``, a read-only copy).</extracomment>
        <translation>Drop or open a room</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="823" />
        <source>当前显示平台（%1）无法嵌入 libvlc 视频窗口</source>
        <translation>The display platform (%1) cannot embed a libvlc video window</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="830" />
        <source>后备播放器（Qt Multimedia）：</source>
        <translation>Fallback player (Qt Multimedia): </translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="830" />
        <source>。首帧更慢，其余功能相同。</source>
        <translation>. The first frame is slower; everything else works the same.</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="901" />
        <source>取消静音</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="901" />
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="979" />
        <location filename="../../console/views/preview.py" line="1120" />
        <source>解码预算已满：显示定时刷新的截图</source>
        <translation>Decode budget full: showing periodic stills</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="980" />
        <source>解码预算已满：暂无截图</source>
        <translation>Decode budget full: no still yet</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="984" />
        <source>不可见时暂停解码</source>
        <translation>Decoding paused while hidden</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1025" />
        <source>正在连接直播…</source>
        <translation>Connecting to the stream…</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1048" />
        <source>%1 秒后重试（第 %2 次）</source>
        <translation>Retrying in %1 s (attempt %2)</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1069" />
        <location filename="../../console/views/preview.py" line="1187" />
        <source>主播当前没有推流（已下播或被切断）</source>
        <translation>The streamer is not pushing a stream (ended or cut)</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1071" />
        <source>播放器无法打开此流</source>
        <translation>The player cannot open this stream</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1079" />
        <source>%1 秒内没有画面：流可能已损坏或编码不受支持</source>
        <translation>No picture for %1 s: the stream may be broken or its codec unsupported</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1103" />
        <source>直播已结束或被切断</source>
        <translation>The stream ended or was cut</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1117" />
        <source>截图</source>
        <translation>Snapshot</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1117" />
        <source>上次画面</source>
        <translation>Last frame</translation>
    </message>
    <message>
        <location filename="../../console/views/preview.py" line="1118" />
        <source>静态 · </source>
        <translation>Still · </translation>
    </message>
</context>
<context>
    <name>PushPane</name>
    <message>
        <location filename="../../console/views/push.py" line="422" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="424" />
        <source>活动名称（仅内部可见）</source>
        <translation>Campaign name (internal only)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="425" />
        <source>通知标题</source>
        <translation>Notification title</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="428" />
        <source>通知正文</source>
        <translation>Notification text</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="430" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="431" />
        <location filename="../../console/views/push.py" line="442" />
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="432" />
        <location filename="../../console/views/push.py" line="446" />
        <source>正文</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="440" />
        <location filename="../../console/views/push.py" line="441" />
        <source>（默认同上）</source>
        <translation>(same as above by default)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="444" />
        <source>副标题（可选）</source>
        <translation>Subtitle (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="445" />
        <source>副标题</source>
        <translation>Subtitle</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="449" />
        <source>平台覆盖</source>
        <translation>Per-platform overrides</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="458" />
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="462" />
        <source>不变</source>
        <translation>Unchanged</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="462" />
        <source>设置为</source>
        <translation>Set to</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="462" />
        <source>增加</source>
        <translation>Increase by</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="463" />
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="471" />
        <source>角标</source>
        <translation>Badge</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="472" />
        <source>铃声文件名（空：静音）</source>
        <translation>Sound file name (empty: silent)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="473" />
        <source>铃声</source>
        <translation>Sound</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="474" />
        <source>直播间 ID（深链 shihou://room/…）</source>
        <translation>Room id (deep link shihou://room/…)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="475" />
        <source>跳转直播间</source>
        <translation>Open room</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="480" />
        <source>附加字段</source>
        <translation>Extras</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="485" />
        <source>默认（1 天）</source>
        <translation>Default (1 day)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="486" />
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="487" />
        <source>离线保留</source>
        <translation>Offline TTL</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="493" />
        <source>用途 / 原因（写入审计）</source>
        <translation>Purpose / reason (written to the audit log)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="494" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="498" />
        <source>输入受众人数以确认</source>
        <translation>Type the audience size to confirm</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="500" />
        <source>确认人数</source>
        <translation>Confirm size</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="504" />
        <source>校验</source>
        <translation>Validate</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="506" />
        <source>测试发送</source>
        <translation>Send test</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="508" />
        <source>发送到锁定的测试受众：</source>
        <translation>Send to the locked test audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="509" />
        <location filename="../../console/views/push.py" line="911" />
        <source>发送</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="528" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="532" />
        <source>数据库分群</source>
        <translation>Database segment</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="532" />
        <source>标签</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="532" />
        <location filename="../../console/views/push.py" line="581" />
        <source>别名</source>
        <translation>Aliases</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="533" />
        <location filename="../../console/views/push.py" line="582" />
        <source>设备 ID</source>
        <translation>Device ids</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="533" />
        <source>全部用户</source>
        <translation>All users</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="535" />
        <location filename="../../console/views/push.py" line="599" />
        <source>方式</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="536" />
        <source>任一标签（逗号分隔）</source>
        <translation>Any of the tags (comma-separated)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="537" />
        <source>同时具有</source>
        <translation>All of</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="538" />
        <source>排除</source>
        <translation>None of</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="541" />
        <source>别名（用户 ID），逗号或换行分隔</source>
        <translation>Aliases (user ids), comma or newline separated</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="545" />
        <source>Registration ID，逗号或换行分隔</source>
        <translation>Registration ids, comma or newline separated</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="550" />
        <source>近 N 天活跃</source>
        <translation>Active in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="557" />
        <source>近 N 天注册</source>
        <translation>Registered in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="562" />
        <source>在该直播间发言过的用户（房间 ID）</source>
        <translation>Users who chatted in this room (room id)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="565" />
        <source>任意设备</source>
        <translation>Any device</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="577" />
        <source>分群</source>
        <translation>Segment</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="578" />
        <source>标签(或)</source>
        <translation>Tags (any)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="579" />
        <source>标签(且)</source>
        <translation>Tags (all)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="580" />
        <source>标签(非)</source>
        <translation>Tags (none)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="584" />
        <source>受众：—</source>
        <translation>Audience: —</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="593" />
        <source>发送时间</source>
        <translation>Send time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="597" />
        <source>立即发送</source>
        <translation>Send now</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="597" />
        <source>定时一次</source>
        <translation>Once, scheduled</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="597" />
        <source>周期发送</source>
        <translation>Recurring</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="605" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="608" />
        <source>每天</source>
        <translation>Daily</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="608" />
        <source>每周</source>
        <translation>Weekly</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="608" />
        <source>每月</source>
        <translation>Monthly</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="610" />
        <source>周：MON,FRI；月：01,15</source>
        <translation>Week: MON,FRI; month: 01,15</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="614" />
        <source>周期</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="615" />
        <source>日期</source>
        <translation>Dates</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="616" />
        <source>结束</source>
        <translation>Until</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="622" />
        <source>预览（锁屏 / 横幅）</source>
        <translation>Preview (lock screen / banner)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="634" />
        <source>载荷大小</source>
        <translation>Payload size</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="645" />
        <source>预估：—</source>
        <translation>Estimate: —</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="652" />
        <source>问题</source>
        <translation>Problems</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="676" />
        <source>选择一个活动查看报表</source>
        <translation>Select a campaign to see its report</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="683" />
        <source>刷新报表</source>
        <translation>Refresh report</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="685" />
        <source>发送已批准的活动</source>
        <translation>Send approved campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="688" />
        <source>取消活动</source>
        <translation>Cancel campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="693" />
        <source>活动与报表</source>
        <translation>Campaigns and reports</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="697" />
        <source>等待第二位运营审批的推送（全员推送必须由他人批准）</source>
        <translation>Pushes awaiting a second operator's approval (a push to all users must be approved by someone else)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="701" />
        <source>审批意见（可选）</source>
        <translation>Approval note (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="704" />
        <source>批准</source>
        <translation>Approve</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="706" />
        <source>驳回</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="714" />
        <location filename="../../console/views/push.py" line="1123" />
        <source>审批</source>
        <translation>Approvals</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="725" />
        <source>改期（一次性）</source>
        <translation>Reschedule (one-off)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="727" />
        <source>取消定时</source>
        <translation>Cancel schedule</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="734" />
        <source>改期 / 取消原因</source>
        <translation>Reason to reschedule / cancel</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="736" />
        <source>定时任务</source>
        <translation>Schedules</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="848" />
        <source>（超出 %1 B）</source>
        <translation> (%1 B over)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="866" />
        <source>受众：计算中…</source>
        <translation>Audience: counting…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="874" />
        <source>受众：</source>
        <translation>Audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="877" />
        <source>受众：为空</source>
        <translation>Audience: empty</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="885" />
        <source>受众：%1 人 · %2 次推送</source>
        <translation>Audience: %1 users · %2 pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="887" />
        <source>受众：至多 %1 人（估算）</source>
        <translation>Audience: at most %1 users (estimate)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="889" />
        <source>受众：人数未知</source>
        <translation>Audience: size unknown</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="903" />
        <source>此推送将到达 %1 人。请在下方输入这个数字以确认。</source>
        <translation>This push will reach %1 users. Type that number below to confirm.</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="911" />
        <source>创建定时推送</source>
        <translation>Create scheduled push</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="921" />
        <source>有 %1 处需要修改，未发送任何内容</source>
        <translation>%1 problems to fix; nothing was sent</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="960" />
        <source>正在校验…</source>
        <translation>Validating…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="965" />
        <source>预估：%1 次推送，按 %2 次/分钟约 %3 分钟完成（%4）</source>
        <translation>Estimate: %1 pushes at %2/min, about %3 min (%4)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="973" />
        <source>⚠ 全员推送需要另一位运营批准</source>
        <translation>⚠ A push to all users needs another operator's approval</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="975" />
        <source>校验通过</source>
        <translation>Validation passed</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="992" />
        <source>正在发送…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1001" />
        <source>正在测试发送…</source>
        <translation>Sending test…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1006" />
        <source>已提交审批：需要另一位运营在其控制台批准后才会发送</source>
        <translation>Submitted for approval: it is sent once another operator approves it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1008" />
        <source>定时推送已创建</source>
        <translation>Scheduled push created</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1010" />
        <source>活动 #%1 %2</source>
        <translation>Campaign #%1 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1027" />
        <source>请先选择一条审批</source>
        <translation>Select an approval first</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1052" />
        <source>运营取消</source>
        <translation>Cancelled by operator</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1111" />
        <source>活动 #%1 被驳回</source>
        <translation>Campaign #%1 rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1169" />
        <source>推送 %1/%2 · 到达人数 %3</source>
        <translation>Pushes %1/%2 · recipients %3</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1173" />
        <source>到达 %1 · 点击 %2</source>
        <translation>Received %1 · clicked %2</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1175" />
        <source>更新于 </source>
        <translation>Updated </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1177" />
        <source>最后错误：</source>
        <translation>Last error: </translation>
    </message>
</context>
<context>
    <name>ReasonChooser</name>
    <message>
        <location filename="../../console/views/chat.py" line="705" />
        <source>补充说明（可选）</source>
        <extracomment>rows painted: tests, the benchmark</extracomment>
        <translation>Details (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="707" />
        <source>Enter 确认 · 数字键选择原因并确认 · Esc 取消</source>
        <translation>Enter confirms · a digit picks a reason and confirms · Esc cancels</translation>
    </message>
</context>
<context>
    <name>ReportChart</name>
    <message>
        <location filename="../../console/views/push.py" line="328" />
        <source>到达与点击（按平台）</source>
        <translation>Received and clicked (by platform)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="330" />
        <source>到达</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="331" />
        <source>点击</source>
        <translation>Clicked</translation>
    </message>
</context>
<context>
    <name>RoomMonitorPane</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="966" />
        <source>房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复，P 预览</source>
        <translation>Room, title, streamer, category — Ctrl+F; X cuts, R resumes, P previews</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="969" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="969" />
        <source>仅告警</source>
        <translation>Alerts only</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="969" />
        <source>直播中</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="970" />
        <source>已切断</source>
        <translation>Cut</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="991" />
        <source>选择一个房间查看健康曲线</source>
        <translation>Select a room to see its health chart</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1001" />
        <source>该房间最近的截图</source>
        <translation>The room's latest snapshot</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1066" />
        <source>直播 %1 · 告警 %2 · 已切断 %3</source>
        <translation>Live %1 · alerts %2 · cut %3</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1077" />
        <source>直播告警</source>
        <translation>Stream alert</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1119" />
        <source>暂无截图</source>
        <translation>No snapshot yet</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1160" />
        <source>请先选择一个已登记的房间</source>
        <translation>Select a registered room first</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1195" />
        <source>正在执行…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1200" />
        <source>已完成：</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1202" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1204" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
</context>
<context>
    <name>RoomTableModel</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="211" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="211" />
        <source>主播</source>
        <translation>Streamer</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="211" />
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="211" />
        <source>画面</source>
        <extracomment>Above this many rows moving in one refresh, one layout change is cheaper than single moves. Columns drawn right-aligned (numbers).</extracomment>
        <translation>Picture</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>风险</source>
        <translation>Risk</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>观众</source>
        <translation>Viewers</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>音频 kbps</source>
        <translation>Audio kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>帧率</source>
        <translation>FPS</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>分辨率</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>关键帧</source>
        <translation>Keyframe</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="215" />
        <source>时长</source>
        <translation>Duration</translation>
    </message>
</context>
<context>
    <name>SanctionModel</name>
    <message>
        <location filename="../../console/views/chat_lists.py" line="179" />
        <source>用户</source>
        <extracomment>RongCloud's limits (providers.md §1.5/§1.6)</extracomment>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="179" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="179" />
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="179" />
        <location filename="../../console/views/chat_lists.py" line="187" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="179" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="180" />
        <source>执行人</source>
        <translation>Issued by</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="180" />
        <source>开始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="180" />
        <source>到期</source>
        <translation>Expires</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="186" />
        <source>禁言</source>
        <translation>Gag</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="186" />
        <source>封禁</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="186" />
        <source>全站封禁</source>
        <translation>App-wide ban</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="187" />
        <source>全局</source>
        <translation>Global</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="187" />
        <source>全站</source>
        <translation>App-wide</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="189" />
        <source>永久</source>
        <translation>Permanent</translation>
    </message>
</context>
<context>
    <name>ScheduleModel</name>
    <message>
        <location filename="../../console/views/push.py" line="304" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="304" />
        <source>活动</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="304" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="304" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="304" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="305" />
        <source>创建人</source>
        <translation>Created by</translation>
    </message>
</context>
<context>
    <name>SmsPane</name>
    <message>
        <location filename="../../console/views/sms.py" line="308" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="310" />
        <source>活动名称（仅内部可见）</source>
        <translation>Campaign name (internal only)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="311" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="314" />
        <source>服务商已审核通过的通知 / 营销模板</source>
        <translation>Notice / marketing templates approved by the vendor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="315" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="317" />
        <source>模板编号（空：同步全部模板）</source>
        <translation>Template code (empty: sync every template)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="318" />
        <source>从服务商同步</source>
        <translation>Sync from vendor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="323" />
        <source>同步模板</source>
        <translation>Sync template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="327" />
        <source>变量</source>
        <translation>Variables</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="334" />
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="340" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="344" />
        <source>近 N 天活跃的用户</source>
        <translation>Users active in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="344" />
        <source>近 N 天注册的用户</source>
        <translation>Users registered in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="345" />
        <source>指定用户 ID</source>
        <translation>Given user IDs</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="347" />
        <location filename="../../console/views/sms.py" line="389" />
        <source>方式</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="352" />
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="353" />
        <source>天数</source>
        <translation>Days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="356" />
        <source>用户 ID，逗号或换行分隔</source>
        <translation>User IDs, separated by commas or new lines</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="359" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="361" />
        <source>受众：—</source>
        <translation>Audience: —</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="368" />
        <source>发送时间</source>
        <translation>Send time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="382" />
        <source>（北京时间，起止相同则不限）</source>
        <translation>(Beijing time; same start and end: no quiet hours)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="384" />
        <source>免打扰</source>
        <translation>Quiet hours</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="387" />
        <source>批准后立即发送</source>
        <translation>Send as soon as approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="388" />
        <source>定时发送</source>
        <translation>Send at a set time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="394" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="398" />
        <source>用途 / 原因（写入审计）</source>
        <translation>Purpose / reason (written to the audit log)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="399" />
        <location filename="../../console/views/sms.py" line="500" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="403" />
        <source>输入受众人数以确认</source>
        <translation>Type the audience size to confirm</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="405" />
        <source>确认人数</source>
        <translation>Confirm size</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="408" />
        <source>提交审批</source>
        <translation>Submit for approval</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="411" />
        <source>每个短信活动都需要另一位运营批准后才会发送（Ctrl+Enter）</source>
        <translation>Every SMS campaign is sent only after another operator approves it (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="445" />
        <source>选择一个活动查看投递报表</source>
        <translation>Select a campaign to see its delivery report</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="452" />
        <source>查询回执</source>
        <translation>Fetch receipts</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="455" />
        <source>发送已批准的活动</source>
        <translation>Send approved campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="458" />
        <source>取消原因</source>
        <translation>Reason for cancelling</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="459" />
        <source>取消活动</source>
        <translation>Cancel campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="465" />
        <source>活动与报表</source>
        <translation>Campaigns and reports</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="469" />
        <source>等待第二位运营审批的短信活动（不能审批自己提交的活动）</source>
        <translation>SMS campaigns awaiting a second operator's approval (you cannot approve your own)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="473" />
        <source>审批意见（驳回时必填）</source>
        <translation>Note (required to reject)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="476" />
        <source>批准</source>
        <translation>Approve</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="478" />
        <source>驳回</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="486" />
        <location filename="../../console/views/sms.py" line="909" />
        <source>审批</source>
        <translation>Approvals</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="490" />
        <source>按号码查找（数字）</source>
        <translation>Find by number (digits)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="497" />
        <source>手机号，如 138 1234 1234</source>
        <translation>Phone, e.g. 138 1234 1234</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="498" />
        <source>原因（添加与移除都写入审计）</source>
        <translation>Reason (adding and removing are both audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="499" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="503" />
        <source>加入拒收名单</source>
        <translation>Add to opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="506" />
        <source>移出所选号码</source>
        <translation>Remove selected number</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="512" />
        <source>拒收名单</source>
        <translation>Opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="535" />
        <source>${%1} 的值</source>
        <translation>Value of ${%1}</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="549" />
        <source>（没有可用的模板：先从服务商同步一个已审核的模板）</source>
        <translation>(No usable template: sync an approved template from the vendor first)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="557" />
        <source>%1 字 · 按 %2 条计费</source>
        <translation>%1 characters · billed as %2 message(s)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="559" />
        <source>未填：</source>
        <translation>Missing: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="586" />
        <source>受众：计算中…</source>
        <translation>Audience: counting…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="597" />
        <source>受众：</source>
        <translation>Audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="604" />
        <source>受众：%1 人</source>
        <translation>Audience: %1 users</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="606" />
        <source>（已排除拒收 %1 人）</source>
        <translation>(%1 opted out, excluded)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="608" />
        <source>受众：为空（没有可发送的用户）</source>
        <translation>Audience: empty (nobody to send to)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="618" />
        <source>此活动将发送给 %1 人。请在下方输入这个数字以确认。</source>
        <translation>This campaign goes to %1 users. Type this number below to confirm.</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="637" />
        <source>有 %1 处需要修改，未发送任何内容</source>
        <translation>%1 problems to fix; nothing was sent</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="647" />
        <source>不能审批自己提交的活动：需要另一位运营在其控制台批准</source>
        <translation>You cannot approve your own campaign: another operator must approve it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="660" />
        <source>请选择一个已审核的模板</source>
        <translation>Choose an approved template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="662" />
        <location filename="../../console/views/sms.py" line="664" />
        <location filename="../../console/views/sms.py" line="666" />
        <source>必填</source>
        <translation>Required</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="679" />
        <source>定时时间已过去：%1</source>
        <translation>The scheduled time is in the past: %1</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="687" />
        <source>正在生成收件人名单…</source>
        <translation>Building the recipient list…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="694" />
        <source>活动 #%1 已提交审批（%2 人）：需要另一位运营在其控制台批准后才会发送</source>
        <translation>Campaign #%1 submitted for approval (%2 users): it is sent only after another operator approves it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="704" />
        <source>已从服务商同步 %1 个模板，其中 %2 个可用于活动</source>
        <translation>Synced %1 templates from the vendor, %2 usable for campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="709" />
        <location filename="../../console/views/sms.py" line="719" />
        <source>正在同步模板…</source>
        <translation>Syncing template…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="713" />
        <source>已审核</source>
        <translation>approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="713" />
        <source>未通过审核，不能用于活动</source>
        <translation>not approved; cannot be used for campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="714" />
        <source>模板 %1 已同步：%2</source>
        <translation>Template %1 synced: %2</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="724" />
        <source>请先选择一条审批</source>
        <translation>Select an approval first</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="732" />
        <source>已批准</source>
        <translation>approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="732" />
        <source>已驳回</source>
        <translation>rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="733" />
        <source>审批 #%1 %2</source>
        <translation>Approval #%1 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="771" />
        <source>活动 #%1 将于 %2 开始发送（定时或免打扰时段）</source>
        <translation>Campaign #%1 starts sending at %2 (schedule or quiet hours)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="778" />
        <source>活动 #%1 还有 %2 人待重试</source>
        <translation>Campaign #%1: %2 recipients left to retry</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="783" />
        <source>活动 #%1 发送完毕：%2 条已提交，%3 条失败</source>
        <translation>Campaign #%1 finished: %2 accepted, %3 failed</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="815" />
        <source>已加入拒收名单</source>
        <translation>Added to the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="815" />
        <source>该号码已在拒收名单中</source>
        <translation>This number is already on the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="825" />
        <source>请先选择一个号码</source>
        <translation>Select a number first</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="831" />
        <source>%1 已移出拒收名单</source>
        <translation>%1 removed from the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="862" />
        <source>营销</source>
        <translation>marketing</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="862" />
        <source>通知</source>
        <translation>notice</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="889" />
        <source>活动 #%1 已获批准，开始发送</source>
        <translation>Campaign #%1 approved; sending</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="894" />
        <source>活动 #%1 被驳回</source>
        <translation>Campaign #%1 rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="960" />
        <source>共 %1 人 · 待发 %2 · 已发送 %3 · 已送达 %4 · 失败 %5 · 等待回执 %6 · 拒收跳过 %7</source>
        <translation>%1 recipients · %2 to send · %3 sent · %4 delivered · %5 failed · %6 awaiting receipt · %7 skipped (opted out)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="965" />
        <source>错误：</source>
        <translation>Errors: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="967" />
        <source>等待至 </source>
        <translation>Waiting until </translation>
    </message>
</context>
<context>
    <name>SmsReportChart</name>
    <message>
        <location filename="../../console/views/sms.py" line="202" />
        <source>投递报表</source>
        <translation>Delivery report</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="215" />
        <source>活动</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="232" />
        <source>活动 #%1</source>
        <translation>Campaign #%1</translation>
    </message>
</context>
<context>
    <name>UserCardView</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="159" />
        <source>选择一个用户查看详情（Enter）</source>
        <translation>Select a user to see the card (Enter)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="166" />
        <source>显示号码…</source>
        <translation>Reveal…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="175" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="176" />
        <source>账号年龄</source>
        <translation>Account age</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="177" />
        <source>注册渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="178" />
        <location filename="../../console/views/user_lookup.py" line="186" />
        <location filename="../../console/views/user_lookup.py" line="206" />
        <location filename="../../console/views/user_lookup.py" line="208" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="183" />
        <location filename="../../console/views/user_lookup.py" line="195" />
        <source>曾用名</source>
        <translation>Past nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="183" />
        <source>修改时间</source>
        <translation>Changed</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <location filename="../../console/views/user_lookup.py" line="195" />
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <location filename="../../console/views/user_lookup.py" line="206" />
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>型号</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>首次</source>
        <translation>First seen</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>最近</source>
        <translation>Last seen</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="185" />
        <source>可能的关联账号</source>
        <translation>Possible alt account</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="185" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="185" />
        <source>共用设备</source>
        <translation>Shared device</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="186" />
        <location filename="../../console/views/user_lookup.py" line="204" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="186" />
        <location filename="../../console/views/user_lookup.py" line="206" />
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="186" />
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="188" />
        <source>双击或按 Enter 在监看墙中打开</source>
        <translation>Double-click or press Enter to open it in the wall</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="190" />
        <source>在监看墙中打开</source>
        <translation>Open in the wall</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="196" />
        <source>关联账号（共用设备）</source>
        <translation>Linked accounts (shared device)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="196" />
        <source>拥有的直播间</source>
        <translation>Rooms owned</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="200" />
        <location filename="../../console/views/user_lookup.py" line="291" />
        <source>概况</source>
        <translation>Profile</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="201" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="201" />
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="201" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="201" />
        <source>执行人</source>
        <translation>Issued by</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="202" />
        <source>开始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="202" />
        <source>结束</source>
        <translation>Until</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="202" />
        <source>解除</source>
        <translation>Lifted</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="203" />
        <location filename="../../console/views/user_lookup.py" line="291" />
        <source>处罚记录</source>
        <translation>Sanctions</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="204" />
        <location filename="../../console/views/user_lookup.py" line="206" />
        <location filename="../../console/views/user_lookup.py" line="208" />
        <location filename="../../console/views/user_lookup.py" line="221" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="204" />
        <location filename="../../console/views/user_lookup.py" line="221" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="205" />
        <location filename="../../console/views/user_lookup.py" line="291" />
        <source>最近聊天</source>
        <translation>Recent chat</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="207" />
        <location filename="../../console/views/user_lookup.py" line="291" />
        <source>推送</source>
        <translation>Pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="208" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="208" />
        <source>用途</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="212" />
        <source>重发验证码…</source>
        <translation>Resend code…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="214" />
        <source>按号码限频（1 条/分钟，5 条/小时，10 条/天），记录审计</source>
        <translation>Rate-limited per number (1/minute, 5/hour, 10/day); audited</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="218" />
        <location filename="../../console/views/user_lookup.py" line="291" />
        <source>短信</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="221" />
        <source>作者</source>
        <translation>Author</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="225" />
        <source>添加客服备注（Ctrl+Enter 保存，将记录审计）</source>
        <translation>Add a support note (Ctrl+Enter saves; audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="227" />
        <source>添加备注</source>
        <translation>Add note</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="239" />
        <location filename="../../console/views/user_lookup.py" line="292" />
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="269" />
        <source>%1 天（%2 注册）</source>
        <translation>%1 days (registered %2)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="272" />
        <source>，%1 项处罚生效中</source>
        <translation>, %1 active sanctions</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="282" />
        <source>永久</source>
        <translation>Permanent</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="298" />
        <source>已到达</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="298" />
        <source>投递中</source>
        <translation>Delivering</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="298" />
        <source>已发送</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="299" />
        <source>未安装 App</source>
        <translation>App not installed</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="299" />
        <source>非推送目标</source>
        <translation>Not a target</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="299" />
        <source>失败</source>
        <translation>Failed</translation>
    </message>
</context>
<context>
    <name>UserLookupPane</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="337" />
        <source>用户 ID、手机号（前缀）或昵称（含曾用名）— Ctrl+F</source>
        <translation>User id, phone (prefix) or nickname (incl. past) — Ctrl+F</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="342" />
        <source>自动</source>
        <translation>Auto</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="342" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="342" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="342" />
        <location filename="../../console/views/user_lookup.py" line="447" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="345" />
        <source>含曾用名</source>
        <translation>Past nicknames</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="347" />
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="390" />
        <source>查找用户</source>
        <translation>Find user</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="427" />
        <source>正在查询…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="436" />
        <source>正在加载更多…</source>
        <translation>Loading more…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="447" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="447" />
        <source>手机号前缀</source>
        <translation>Phone prefix</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="449" />
        <source>%1：%2%3 个结果，%4 ms</source>
        <translation>%1: %2%3 results, %4 ms</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="452" />
        <source>没有找到匹配的用户</source>
        <translation>No matching user</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="467" />
        <source>正在加载用户卡片…</source>
        <translation>Loading the user card…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="484" />
        <source>备注已保存</source>
        <translation>Note saved</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="487" />
        <source>正在保存备注…</source>
        <translation>Saving note…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="495" />
        <source>重发验证码</source>
        <translation>Resend verification code</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="496" />
        <source>用户反映未收到验证码</source>
        <translation>User reports the code never arrived</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="506" />
        <source>验证码已发送</source>
        <translation>Verification code sent</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="508" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="510" />
        <source>发送失败：</source>
        <translation>Sending failed: </translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="514" />
        <source>正在发送验证码…</source>
        <translation>Sending the code…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="520" />
        <source>显示完整手机号</source>
        <translation>Reveal the full phone number</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="495" />
        <location filename="../../console/views/user_lookup.py" line="521" />
        <source>原因（将记录在审计日志中）：</source>
        <translation>Reason (recorded in the audit log):</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="521" />
        <source>用户来电核实身份</source>
        <translation>Caller identity check</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="500" />
        <location filename="../../console/views/user_lookup.py" line="525" />
        <source>请填写原因</source>
        <translation>A reason is required</translation>
    </message>
</context>
<context>
    <name>UserResultsModel</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="81" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="81" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="81" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="81" />
        <source>注册时间</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="81" />
        <source>曾用名匹配</source>
        <translation>Matched past nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="93" />
        <source>通过曾用名匹配：</source>
        <translation>Matched past nickname: </translation>
    </message>
</context>
<context>
    <name>WallPane</name>
    <message>
        <location filename="../../console/views/wall.py" line="135" />
        <source>布局 %1（Alt+%2）</source>
        <translation>Layout %1 (Alt+%2)</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="142" />
        <source>从直播监控拖入房间；点击选中画面（有声）；X 切断 · S 截图 · M 静音 · Delete 移除</source>
        <translation>Drag rooms in from the room monitor; click a tile to select it (with sound); X cut · S snapshot · M mute · Delete remove</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="245" />
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="246" />
        <source>未配置视频服务 %1，无法播放（已配置：%2）</source>
        <translation>Video service %1 is not configured; cannot play (configured: %2)</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="311" />
        <source>解码 %1 路（预算 %2%）</source>
        <translation>Decoding %1 streams (budget %2%)</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="314" />
        <source> · %1 路超出预算，显示截图</source>
        <translation> · %1 over budget, showing stills</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="327" />
        <source>已截图：</source>
        <translation>Snapshot saved: </translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="329" />
        <source>截图失败：</source>
        <translation>Snapshot failed: </translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="341" />
        <source>请先选中一个已登记的房间</source>
        <translation>Select a registered room first</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="363" />
        <source>正在执行…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="372" />
        <source>已完成：</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="374" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="376" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
</context>
<context>
    <name>WordModel</name>
    <message>
        <location filename="../../console/views/chat_lists.py" line="201" />
        <source>敏感词</source>
        <translation>Sensitive words</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="201" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="201" />
        <source>替换为</source>
        <translation>Replace with</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="201" />
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="201" />
        <source>到期</source>
        <translation>Expires</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="202" />
        <source>添加人</source>
        <translation>Added by</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="208" />
        <source>拦截</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="208" />
        <source>替换</source>
        <translation>Replace</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="209" />
        <source>封锁预案（本场）</source>
        <translation>Lockdown preset (this session)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat_lists.py" line="209" />
        <source>常驻</source>
        <translation>Permanent</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../console/app.py" line="110" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
</context>
<context>
    <name>chat</name>
    <message>
        <location filename="../../console/views/chat.py" line="194" />
        <source>敏感词</source>
        <extracomment>At most ~15 layouts a second: the queue is moved into the model at most once per FLUSH_MS. Rows kept in memory per feed (the database keeps the rest); while paused the window may grow to 2×. Rendered cell texts kept by the feed view (about 3 screens of a 40-row feed), and their pixel budget. Elided cell texts remembered (eliding a CJK line lays it out). A cell shows at most this many characters (the detail panel shows ChatLine.display, itself bounded). Ctrl+Z reverses the last action for this long after its key press. One read returns at most this many lines; a full page is followed by another read at once. A new read starts at most this often (events arrive up to 50/s at high rates; a read costs the UI thread ~1–5 ms whatever its size: a pooled connection, its ping, the query). How often the pane reverts lockdowns whose time has come (ChatModeration.revert_due). Lines of the first read of a feed. The cross-room flagged feed starts from the flagged lines among this many latest messages (flagging runs on the UI thread: ~40 µs a line measured here, so 2,000 lines ≈ 0.1 s once). Near-duplicates collapse into one row from this many lines within FLOOD_WINDOW_S (or one batch). A flood row already shown takes its new count at most this often (seconds). A flood row this close to the bottom is updated where it is; further up it moves down to the newest. the combined feed of flagged lines across rooms every room's lines Preset reasons (the digit picks one in the reason chooser). Flag kinds in words (marked for lupdate; translated where shown).</extracomment>
        <translation>Sensitive words</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="194" />
        <source>规则</source>
        <translation>Rule</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="195" />
        <source>链接</source>
        <translation>Link</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="195" />
        <source>新账号</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="196" />
        <source>重复</source>
        <translation>Repeated</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="197" />
        <source>融云已替换</source>
        <translation>Replaced by RongCloud</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="203" />
        <location filename="../../console/views/chat.py" line="216" />
        <location filename="../../console/views/chat.py" line="220" />
        <source>撤回</source>
        <extracomment>The default ladder's labels (DEFAULT_LADDER) come from data, so lupdate cannot see them in a tr() call: they are marked here and translated by ladder_text().</extracomment>
        <translation>Recall</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="203" />
        <source>禁言10分钟</source>
        <translation>Gag 10 min</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="204" />
        <source>禁言1小时</source>
        <translation>Gag 1 h</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="204" />
        <location filename="../../console/views/chat.py" line="222" />
        <source>本场禁言</source>
        <translation>Gag for this live session</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="204" />
        <location filename="../../console/views/chat.py" line="231" />
        <source>封禁</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="224" />
        <source>禁言%1小时</source>
        <translation>Gag %1 h</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="226" />
        <source>禁言%1分钟</source>
        <translation>Gag %1 min</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="228" />
        <source>封禁%1天</source>
        <translation>Block %1 days</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="230" />
        <source>封禁%1分钟</source>
        <translation>Block %1 min</translation>
    </message>
</context>
</TS>