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
        <location filename="../../console/views/action_queue.py" line="98" />
        <source>排队 %1 · 失败 %2</source>
        <translation>Queued %1 · failed %2</translation>
    </message>
    <message>
        <location filename="../../console/views/action_queue.py" line="108" />
        <source>正在重试…</source>
        <translation>Retrying…</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../console/views/audit.py" line="51" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="51" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="51" />
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="51" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="51" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="52" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="52" />
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
</context>
<context>
    <name>AuditPane</name>
    <message>
        <location filename="../../console/views/audit.py" line="108" />
        <location filename="../../console/views/audit.py" line="122" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="110" />
        <source>对象，如 user:10000001</source>
        <translation>Target, e.g. user:10000001</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="118" />
        <source>全部时间</source>
        <translation>All time</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="118" />
        <source>最近 1 小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="118" />
        <source>最近 24 小时</source>
        <translation>Last 24 hours</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="119" />
        <source>最近 7 天</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="119" />
        <source>最近 30 天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="120" />
        <source>筛选</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="122" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="122" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="137" />
        <source>选中一行查看变更前后与证据</source>
        <translation>Select a row to see before/after and evidence</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="164" />
        <source>正在加载审计日志…</source>
        <translation>Loading the audit log…</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="179" />
        <location filename="../../console/views/audit.py" line="203" />
        <source>%1 条</source>
        <translation>%1 rows</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="217" />
        <source>原因：</source>
        <translation>Reason: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="219" />
        <source>变更前：</source>
        <translation>Before: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="221" />
        <source>变更后：</source>
        <translation>After: </translation>
    </message>
</context>
<context>
    <name>CutDialog</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="372" />
        <source>恢复推流</source>
        <translation>Resume stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="372" />
        <source>切断直播</source>
        <translation>Cut stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="378" />
        <source>复核后恢复</source>
        <translation>Resumed after review</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="378" />
        <source>误判</source>
        <translation>False positive</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="382" />
        <source>补充说明（可选）</source>
        <translation>Details (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="383" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="384" />
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="390" />
        <source>时长</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="394" />
        <source>恢复</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="394" />
        <source>切断</source>
        <translation>Cut</translation>
    </message>
</context>
<context>
    <name>HealthChart</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="416" />
        <source>最近一小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="421" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="423" />
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
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="60" />
        <source>用户查询</source>
        <translation>User lookup</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="65" />
        <source>直播监控</source>
        <translation>Room monitor</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="66" />
        <source>操作队列</source>
        <translation>Action queue</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="68" />
        <source>审计日志</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="81" />
        <source>数据库：</source>
        <translation>Database: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="88" />
        <source>实时通知 (LISTEN/NOTIFY)</source>
        <translation>live (LISTEN/NOTIFY)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="88" />
        <source>轮询同步</source>
        <translation>polling</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="89" />
        <location filename="../../console/views/main_window.py" line="144" />
        <source>已连接</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="140" />
        <source>新告警：</source>
        <translation>New alert: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="146" />
        <source>连接中断</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="150" />
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
    <name>RoomMonitorPane</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="475" />
        <source>房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复</source>
        <translation>Room, title, streamer, category — Ctrl+F; X cuts, R resumes</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="478" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="478" />
        <source>仅告警</source>
        <translation>Alerts only</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="478" />
        <source>直播中</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="479" />
        <source>已切断</source>
        <translation>Cut</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="496" />
        <source>选择一个房间查看健康曲线</source>
        <translation>Select a room to see its health chart</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="549" />
        <source>直播 %1 · 告警 %2 · 已切断 %3</source>
        <translation>Live %1 · alerts %2 · cut %3</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="560" />
        <source>直播告警</source>
        <translation>Stream alert</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="596" />
        <source>请先选择一个已登记的房间</source>
        <translation>Select a registered room first</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="617" />
        <source>正在执行…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="624" />
        <source>已完成：</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="626" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="628" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
</context>
<context>
    <name>RoomTableModel</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="132" />
        <source>房间</source>
        <extracomment>Above this many rows moving in one refresh, one layout change is cheaper than single moves.</extracomment>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="132" />
        <source>主播</source>
        <translation>Streamer</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="132" />
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="133" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="133" />
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="133" />
        <source>风险</source>
        <translation>Risk</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="134" />
        <source>观众</source>
        <translation>Viewers</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="134" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="134" />
        <source>音频 kbps</source>
        <translation>Audio kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="135" />
        <source>帧率</source>
        <translation>FPS</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="135" />
        <source>分辨率</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="135" />
        <source>关键帧</source>
        <translation>Keyframe</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="136" />
        <source>时长</source>
        <translation>Duration</translation>
    </message>
</context>
<context>
    <name>UserCardView</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="142" />
        <source>选择一个用户查看详情（Enter）</source>
        <translation>Select a user to see the card (Enter)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="149" />
        <source>显示号码…</source>
        <translation>Reveal…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="158" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="159" />
        <source>账号年龄</source>
        <translation>Account age</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="160" />
        <source>注册渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="161" />
        <location filename="../../console/views/user_lookup.py" line="169" />
        <location filename="../../console/views/user_lookup.py" line="182" />
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="166" />
        <location filename="../../console/views/user_lookup.py" line="172" />
        <source>曾用名</source>
        <translation>Past nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="166" />
        <source>修改时间</source>
        <translation>Changed</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="167" />
        <location filename="../../console/views/user_lookup.py" line="172" />
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="167" />
        <location filename="../../console/views/user_lookup.py" line="182" />
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="167" />
        <source>型号</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="167" />
        <source>首次</source>
        <translation>First seen</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="167" />
        <source>最近</source>
        <translation>Last seen</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="168" />
        <source>可能的关联账号</source>
        <translation>Possible alt account</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="168" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="168" />
        <source>共用设备</source>
        <translation>Shared device</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="169" />
        <location filename="../../console/views/user_lookup.py" line="180" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="169" />
        <location filename="../../console/views/user_lookup.py" line="182" />
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="169" />
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="173" />
        <source>关联账号（共用设备）</source>
        <translation>Linked accounts (shared device)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="173" />
        <source>拥有的直播间</source>
        <translation>Rooms owned</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="176" />
        <location filename="../../console/views/user_lookup.py" line="249" />
        <source>概况</source>
        <translation>Profile</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="177" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="177" />
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="177" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="177" />
        <source>执行人</source>
        <translation>Issued by</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="178" />
        <source>开始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="178" />
        <source>结束</source>
        <translation>Until</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="178" />
        <source>解除</source>
        <translation>Lifted</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="179" />
        <location filename="../../console/views/user_lookup.py" line="249" />
        <source>处罚记录</source>
        <translation>Sanctions</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="180" />
        <location filename="../../console/views/user_lookup.py" line="182" />
        <location filename="../../console/views/user_lookup.py" line="184" />
        <location filename="../../console/views/user_lookup.py" line="188" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="180" />
        <location filename="../../console/views/user_lookup.py" line="188" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="181" />
        <location filename="../../console/views/user_lookup.py" line="249" />
        <source>最近聊天</source>
        <translation>Recent chat</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="183" />
        <location filename="../../console/views/user_lookup.py" line="249" />
        <source>推送</source>
        <translation>Pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="184" />
        <source>用途</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="185" />
        <location filename="../../console/views/user_lookup.py" line="249" />
        <source>短信</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="188" />
        <source>作者</source>
        <translation>Author</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="192" />
        <source>添加客服备注（Ctrl+Enter 保存，将记录审计）</source>
        <translation>Add a support note (Ctrl+Enter saves; audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="194" />
        <source>添加备注</source>
        <translation>Add note</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="206" />
        <location filename="../../console/views/user_lookup.py" line="250" />
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="228" />
        <source>%1 天（%2 注册）</source>
        <translation>%1 days (registered %2)</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="231" />
        <source>，%1 项处罚生效中</source>
        <translation>, %1 active sanctions</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="240" />
        <source>永久</source>
        <translation>Permanent</translation>
    </message>
</context>
<context>
    <name>UserLookupPane</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="284" />
        <source>用户 ID、手机号（前缀）或昵称（含曾用名）— Ctrl+F</source>
        <translation>User id, phone (prefix) or nickname (incl. past) — Ctrl+F</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="289" />
        <source>自动</source>
        <translation>Auto</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="289" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="289" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="289" />
        <location filename="../../console/views/user_lookup.py" line="388" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="292" />
        <source>含曾用名</source>
        <translation>Past nicknames</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="294" />
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="334" />
        <source>查找用户</source>
        <translation>Find user</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="368" />
        <source>正在查询…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="377" />
        <source>正在加载更多…</source>
        <translation>Loading more…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="388" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="388" />
        <source>手机号前缀</source>
        <translation>Phone prefix</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="390" />
        <source>%1：%2%3 个结果，%4 ms</source>
        <translation>%1: %2%3 results, %4 ms</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="393" />
        <source>没有找到匹配的用户</source>
        <translation>No matching user</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="408" />
        <source>正在加载用户卡片…</source>
        <translation>Loading the user card…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="422" />
        <source>备注已保存</source>
        <translation>Note saved</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="425" />
        <source>正在保存备注…</source>
        <translation>Saving note…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="431" />
        <source>显示完整手机号</source>
        <translation>Reveal the full phone number</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="432" />
        <source>原因（将记录在审计日志中）：</source>
        <translation>Reason (recorded in the audit log):</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="432" />
        <source>用户来电核实身份</source>
        <translation>Caller identity check</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="436" />
        <source>请填写原因</source>
        <translation>A reason is required</translation>
    </message>
</context>
<context>
    <name>UserResultsModel</name>
    <message>
        <location filename="../../console/views/user_lookup.py" line="67" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="67" />
        <source>昵称</source>
        <translation>Nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="67" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="67" />
        <source>注册时间</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="67" />
        <source>曾用名匹配</source>
        <translation>Matched past nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/user_lookup.py" line="79" />
        <source>通过曾用名匹配：</source>
        <translation>Matched past nickname: </translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../console/app.py" line="111" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
</context>
</TS>