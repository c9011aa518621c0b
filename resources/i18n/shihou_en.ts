<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name />
    <message>
        <location filename="../../console/views/feedback.py" line="49" />
        <source>查询内容过长（最多 64 个字符）</source>
        <translation>Query too long (at most 64 characters)</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="51" />
        <source>请输入用户 ID、手机号或昵称</source>
        <translation>Enter a user id, phone or nickname</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="52" />
        <source>无法识别的查询：</source>
        <translation>Query not understood: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="54" />
        <source>备注不能为空，且不超过 4000 字</source>
        <translation>A note must not be empty or longer than 4000 characters</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="56" />
        <source>请填写原因</source>
        <translation>A reason is required</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="59" />
        <source>权限不足：当前角色无权执行此操作（已记录审计）</source>
        <translation>Not allowed for your role (audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="63" />
        <source>用户名或密码错误</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="65" />
        <source>未找到：</source>
        <translation>Not found: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="67" />
        <source>数据库版本过旧：</source>
        <translation>Database out of date: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="69" />
        <source>数据库不可用：</source>
        <translation>Database unavailable: </translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="72" />
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
    <name>AccountsDialog</name>
    <message>
        <location filename="../../console/views/accounts.py" line="94" />
        <source>账号与密钥</source>
        <translation>Accounts and secrets</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="124" />
        <source>金山云直播 (KLS)</source>
        <translation>Kingsoft live (KLS)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="124" />
        <source>融云聊天 (RongCloud)</source>
        <translation>RongCloud chat</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="125" />
        <source>极光推送 (JPush)</source>
        <translation>JPush</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="125" />
        <source>短信 (阿里云 Dysms)</source>
        <translation>SMS (Aliyun Dysms)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="126" />
        <source>网宿 CDN</source>
        <translation>Wangsu CDN</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="126" />
        <source>自建 nginx-rtmp</source>
        <translation>Self-hosted nginx-rtmp</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="126" />
        <source>邮件 (SMTP)</source>
        <translation>Mail (SMTP)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="130" />
        <location filename="../../console/views/accounts.py" line="133" />
        <location filename="../../console/views/accounts.py" line="134" />
        <location filename="../../console/views/accounts.py" line="135" />
        <location filename="../../console/views/accounts.py" line="137" />
        <source>接口地址</source>
        <translation>API URL</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="130" />
        <location filename="../../console/views/accounts.py" line="136" />
        <source>AccessKey ID</source>
        <translation>AccessKey ID</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="131" />
        <source>播放域名</source>
        <translation>Play domain</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="131" />
        <source>播放协议</source>
        <translation>Play scheme</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="132" />
        <source>防盗链密钥名称（留空：播放地址不签名）</source>
        <translation>Anti-leech key name (empty: play URLs unsigned)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="133" />
        <source>备用地址</source>
        <translation>Backup URL</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="134" />
        <source>App Key</source>
        <translation>App Key</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="135" />
        <source>AppKey</source>
        <translation>AppKey</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="136" />
        <source>短信签名</source>
        <translation>SMS sign name</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="137" />
        <source>账号</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="138" />
        <source>统计地址 (/stat)</source>
        <translation>Stat URL (/stat)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="138" />
        <source>控制地址 (/control)</source>
        <translation>Control URL (/control)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="139" />
        <source>SMTP 服务器</source>
        <translation>SMTP server</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="139" />
        <source>端口（0：按加密方式默认）</source>
        <translation>Port (0: the default of the security mode)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="140" />
        <source>加密方式</source>
        <translation>Security</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="140" />
        <source>登录账号</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="140" />
        <source>发件地址</source>
        <translation>From address</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="144" />
        <source>SecretAccessKey</source>
        <translation>SecretAccessKey</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="144" />
        <source>防盗链密钥</source>
        <translation>Anti-leech key</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="145" />
        <source>App Secret</source>
        <translation>App Secret</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="145" />
        <source>Master Secret</source>
        <translation>Master Secret</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="146" />
        <source>AccessKey Secret</source>
        <translation>AccessKey Secret</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="146" />
        <source>API 密钥</source>
        <translation>API key</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="146" />
        <source>邮箱密码</source>
        <translation>Mail password</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="149" />
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="149" />
        <source>密钥错误</source>
        <translation>Wrong key</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="149" />
        <source>无法连接</source>
        <translation>Unreachable</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="150" />
        <source>密钥有效，但请求被拒绝</source>
        <translation>Key accepted, call refused</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="150" />
        <source>未配置</source>
        <translation>Not configured</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="155" />
        <source>账号名称等设置保存到设置文件 %1，下次启动生效。</source>
        <translation>Account names and other settings are saved to the settings file %1 and take effect at the next start.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="157" />
        <source>本控制台没有设置文件（--config）：保存时会列出需要设置的 SHIHOU_* 环境变量，下次启动生效。</source>
        <translation>This console has no settings file (--config): Save lists the SHIHOU_* variables to set; they take effect at the next start.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="158" />
        <source>密钥只保存在系统钥匙串（服务 %1），不写入文件、日志或数据库。</source>
        <translation>Secrets are kept only in the system keyring (service %1), never in a file, a log or the database.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="187" />
        <source>输入新密钥（不会显示已保存的密钥）</source>
        <translation>Type a new secret (the saved one is never shown)</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="188" />
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="196" />
        <source>无需密钥。</source>
        <translation>No secret needed.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="198" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="198" />
        <source>删除密钥</source>
        <translation>Delete secrets</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="199" />
        <location filename="../../console/views/accounts.py" line="283" />
        <source>测试</source>
        <translation>Test</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="258" />
        <source>钥匙串不可用</source>
        <translation>Keyring unavailable</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="265" />
        <source>未填写名称</source>
        <translation>No account name</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="268" />
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="271" />
        <source>未保存</source>
        <translation>Not saved</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="283" />
        <location filename="../../console/views/accounts.py" line="285" />
        <source>正在测试…</source>
        <translation>Testing…</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="285" />
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="325" />
        <source>未保存：</source>
        <translation>Not saved: </translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="331" />
        <source>密钥已保存到钥匙串：</source>
        <translation>Secrets saved in the keyring: </translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="333" />
        <source>设置已写入 %1，下次启动生效。</source>
        <translation>Settings written to %1; they take effect at the next start.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="335" />
        <source>没有设置文件：请设置以下环境变量后重新启动：</source>
        <translation>No settings file: set these variables and start again:</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="337" />
        <source>注意：这些设置当前来自环境变量或命令行，会覆盖设置文件：</source>
        <translation>Note: these settings come from the environment or the command line, which override the file: </translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="339" />
        <source>没有需要保存的更改。</source>
        <translation>Nothing to save.</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="350" />
        <source>从钥匙串删除 %1 的密钥？</source>
        <translation>Delete the %1 secrets from the keyring?</translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="365" />
        <source>未删除：</source>
        <translation>Not deleted: </translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="367" />
        <source>已从钥匙串删除：</source>
        <translation>Deleted from the keyring: </translation>
    </message>
    <message>
        <location filename="../../console/views/accounts.py" line="367" />
        <source>（无）</source>
        <translation>(none)</translation>
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
        <location filename="../../console/views/action_queue.py" line="34" />
        <source>下次重试</source>
        <translation>Next try</translation>
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
    <message>
        <location filename="../../console/views/action_queue.py" line="46" />
        <source>执行中</source>
        <translation>Running</translation>
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
        <location filename="../../console/views/push.py" line="270" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="270" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="270" />
        <source>人数</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="270" />
        <source>申请人</source>
        <translation>Requested by</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="270" />
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
        <location filename="../../console/views/audit.py" line="107" />
        <location filename="../../console/views/audit.py" line="121" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="109" />
        <source>对象，如 user:10000001</source>
        <translation>Target, e.g. user:10000001</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="117" />
        <source>全部时间</source>
        <translation>All time</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="117" />
        <source>最近 1 小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="117" />
        <source>最近 24 小时</source>
        <translation>Last 24 hours</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="118" />
        <source>最近 7 天</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="118" />
        <source>最近 30 天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="119" />
        <source>筛选</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="121" />
        <source>对象</source>
        <translation>Target</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="121" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="136" />
        <source>选中一行查看变更前后与证据</source>
        <translation>Select a row to see before/after and evidence</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="187" />
        <source>正在加载审计日志…</source>
        <translation>Loading the audit log…</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="202" />
        <location filename="../../console/views/audit.py" line="226" />
        <source>%1 条</source>
        <translation>%1 rows</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="241" />
        <source>原因：</source>
        <translation>Reason: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="243" />
        <source>变更前：</source>
        <translation>Before: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="245" />
        <source>变更后：</source>
        <translation>After: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="248" />
        <source>证据：</source>
        <translation>Evidence: </translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="265" />
        <source>直播画面</source>
        <translation>Live frame</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="265" />
        <source>静态截图</source>
        <translation>Still image</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="266" />
        <source>无画面</source>
        <translation>No picture</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="273" />
        <source>截图不在本机，或文件与记录的 sha256 不符</source>
        <translation>The frame is not on this machine, or the file no longer matches its recorded sha256</translation>
    </message>
    <message>
        <location filename="../../console/views/audit.py" line="275" />
        <source>没有截图：</source>
        <translation>No frame: </translation>
    </message>
</context>
<context>
    <name>CampaignModel</name>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <location filename="../../console/views/push.py" line="252" />
        <source>编号</source>
        <extracomment>Report bars: (label, colour).</extracomment>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <location filename="../../console/views/push.py" line="252" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <location filename="../../console/views/push.py" line="252" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <location filename="../../console/views/push.py" line="252" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="143" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="144" />
        <source>人数</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="144" />
        <source>拒收跳过</source>
        <translation>Skipped (opted out)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="144" />
        <source>定时</source>
        <translation>Scheduled</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="144" />
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
        <location filename="../../console/views/sms.py" line="144" />
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
        <location filename="../../console/views/chat.py" line="294" />
        <source>时间</source>
        <extracomment>row_key of each row (C-speed look-ups) a serial per row, increasing downwards (bisect finds a key) row key -&gt; its serial row key -&gt; "已禁言10分钟" / "✓ 通过" (what this console did) append() calls that changed rows (tests, bench) rows dropped at the top of the window</extracomment>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="294" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="294" />
        <source>用户</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="294" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="294" />
        <source>标记</source>
        <translation>Flags</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="332" />
        <source>多个房间</source>
        <translation>Several rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="333" />
        <source>%1 人</source>
        <translation>%1 users</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="334" />
        <source>×%1 相似</source>
        <translation>×%1 similar</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="335" />
        <source>相似合并</source>
        <translation>Similar merged</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="337" />
        <location filename="../../console/views/chat.py" line="344" />
        <source>已撤回</source>
        <translation>Recalled</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="348" />
        <source>首次发言</source>
        <translation>First message</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="350" />
        <source>新账号</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="369" />
        <source>点击打开用户卡片</source>
        <translation>Click to open the user card</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="369" />
        <source>非平台用户</source>
        <translation>Not a platform user</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="371" />
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
        <location filename="../../console/views/chat.py" line="901" />
        <source>筛选房间</source>
        <extracomment>where live lines are read and flagged: the chat reader's child process (off this thread) or, without one, the ChatService here flood rows whose new count waits for GROUP_REFRESH_S: row key -&gt; (group, lines it counted, shown at) lines left out by focus mode in this feed lines added while auto-scroll was paused lines that reached the model: as their own row, or counted into a flood row (bench) lines left out by focus mode (counted in the banner), every feed (bench) called with every line as it leaves the queue for the model (bench: which ids were placed) lines read from the database (bench)</extracomment>
        <translation>Filter rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="921" />
        <source>专注模式：自动</source>
        <translation>Focus mode: auto</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="921" />
        <source>专注模式：开</source>
        <translation>Focus mode: on</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="922" />
        <source>专注模式：关</source>
        <translation>Focus mode: off</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="924" />
        <source>名单与设置…</source>
        <translation>Lists and settings…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="977" />
        <source>J/K 选择 · 1 撤回 · 2 禁言10分钟 · 3 禁言1小时 · 4 本场禁言 · 5 封禁 · Enter 通过 · Ctrl+Z 撤销 · U 用户卡片</source>
        <translation>J/K select · 1 recall · 2 gag 10 min · 3 gag 1 h · 4 gag for the session · 5 block · Enter approve · Ctrl+Z undo · U user card</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1077" />
        <source>⚑ 全部标记消息（跨房间）</source>
        <translation>⚑ All flagged messages (all rooms)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1077" />
        <location filename="../../console/views/chat.py" line="1116" />
        <source>全部房间</source>
        <translation>All rooms</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1082" />
        <source>  🔇已禁言</source>
        <translation>  🔇muted</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1114" />
        <source>全部标记消息（跨房间）</source>
        <translation>All flagged messages (all rooms)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1157" />
        <source>正在读取聊天…</source>
        <translation>Reading the chat…</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1430" />
        <source>%1 条/秒</source>
        <translation>%1 msg/s</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1433" />
        <source>专注模式（手动开启，%1 条/秒）：仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条</source>
        <translation>Focus mode (switched on, %1 msg/s): flagged lines, first messages and new accounts only, floods merged; %2 hidden</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1438" />
        <source>专注模式：消息过快（%1 条/秒），仅显示标记、首次发言和新账号消息，刷屏已合并；已隐藏 %2 条</source>
        <translation>Focus mode: messages too fast (%1/s); showing only flagged, first and new-account messages, floods merged; %2 hidden</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1446" />
        <source>%1 条新消息 ↓</source>
        <translation>%1 new messages ↓</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1490" />
        <source>%1 条相似消息，发送者超过 %2 人（操作只作用于最先的 %2 人）</source>
        <translation>%1 similar messages from more than %2 senders (an action reaches the first %2 only)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1493" />
        <source>%1 条相似消息，%2 个发送者（操作将作用于全部发送者）</source>
        <translation>%1 similar messages from %2 senders (actions apply to every sender)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1498" />
        <source>标记：</source>
        <translation>Flags: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1499" />
        <source>（共 %1 字）</source>
        <translation> (%1 characters in all)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1522" />
        <source>此聊天室没有对应的平台房间：</source>
        <translation>This chat room has no platform room: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1529" />
        <source>发送者不是平台用户：</source>
        <translation>The sender is not a platform user: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1564" />
        <source>✓ 通过</source>
        <translation>✓ Approved</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1576" />
        <source>请先用 J/K 选择一条消息</source>
        <translation>Select a message with J/K first</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1601" />
        <source>%2 条相似消息中最先的 %1 个发送者</source>
        <translation>the first %1 senders of %2 similar messages</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1603" />
        <source>%1 个发送者的 %2 条相似消息</source>
        <translation>%2 similar messages from %1 senders</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1609" />
        <source>处理中：</source>
        <translation>Working: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1633" />
        <source>已%1（%2 人）</source>
        <translation>Done: %1 (%2 users)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1635" />
        <source>已%1：%2 人 — Ctrl+Z 撤销</source>
        <translation>Done: %1, %2 users — Ctrl+Z to undo</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1639" />
        <source>部分完成</source>
        <translation>Partly done</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1639" />
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1639" />
        <source>排队重试</source>
        <translation>Queued for retry</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1642" />
        <source>%1：%2/%3 人已完成，%4 人排队重试，%5 人失败（见操作队列）</source>
        <translation>%1: %2/%3 users done, %4 queued for retry, %5 failed (see the action queue)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1648" />
        <source>已</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1649" />
        <source>已%1 — Ctrl+Z 撤销</source>
        <translation>Done: %1 — Ctrl+Z to undo</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1652" />
        <source>排队重试：</source>
        <translation>Queued for retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1653" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1656" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1663" />
        <source>没有可撤销的操作（仅限 %1 秒内）</source>
        <translation>Nothing to undo (only within %1 seconds)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1668" />
        <source>撤回的消息无法恢复（融云不支持撤销撤回）</source>
        <translation>A recalled message cannot be restored (RongCloud cannot undo a recall)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1671" />
        <source>撤销：</source>
        <translation>Undo: </translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="1679" />
        <location filename="../../console/views/chat.py" line="1680" />
        <source>已撤销：</source>
        <translation>Undone: </translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="230" />
        <source>写入审计日志</source>
        <translation>For the audit log</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="233" />
        <source>新角色</source>
        <translation>New role</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="234" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>CreateOperatorDialog</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="153" />
        <source>小写字母开头，如 zhang.san</source>
        <translation>Lower case, a letter first, e.g. zhang.san</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="164" />
        <source>生成临时密码 (Alt+G)</source>
        <translation>Generate (Alt+G)</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="170" />
        <source>写入审计日志，例如：新入职审核员</source>
        <translation>For the audit log, e.g. new moderator</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="175" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="176" />
        <source>显示名</source>
        <translation>Display name</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="177" />
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="178" />
        <source>临时密码</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="179" />
        <source>再次输入</source>
        <translation>Again</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="180" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="181" />
        <source>对方首次登录时必须修改这个临时密码。</source>
        <translation>They must replace this temporary password at their first sign-in.</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="183" />
        <source>创建</source>
        <translation>Create</translation>
    </message>
</context>
<context>
    <name>CutDialog</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="814" />
        <source>恢复推流</source>
        <extracomment>rows rendered (not re-blitted), for tests and the benchmark gets the focus when the sheet closes</extracomment>
        <translation>Resume stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="814" />
        <source>切断直播</source>
        <translation>Cut stream</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="825" />
        <source>复核后恢复</source>
        <translation>Resumed after review</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="825" />
        <source>误判</source>
        <translation>False positive</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="828" />
        <source>补充说明（可选）</source>
        <translation>Details (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="829" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="830" />
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="835" />
        <source>时长</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="839" />
        <source>恢复</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="839" />
        <source>切断</source>
        <translation>Cut</translation>
    </message>
</context>
<context>
    <name>DigestDialog</name>
    <message>
        <location filename="../../console/views/digest.py" line="42" />
        <source>最近一次审核摘要</source>
        <translation>Last moderation digest</translation>
    </message>
    <message>
        <location filename="../../console/views/digest.py" line="60" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../console/views/digest.py" line="69" />
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../console/views/digest.py" line="77" />
        <source>还没有发送过审核摘要。</source>
        <translation>No digest has been mailed yet.</translation>
    </message>
    <message>
        <location filename="../../console/views/digest.py" line="81" />
        <source>%1 · 发送于 %2（北京时间）· 收件人 %3</source>
        <translation>%1 · sent at %2 (Beijing time) · to %3</translation>
    </message>
    <message>
        <location filename="../../console/views/digest.py" line="87" />
        <source>读取失败：%1</source>
        <translation>Could not read it: %1</translation>
    </message>
</context>
<context>
    <name>HealthChart</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="901" />
        <source>最近一小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="906" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="908" />
        <source>帧率</source>
        <translation>FPS</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <location filename="../../console/views/session_lock.py" line="111" />
        <source>控制台已锁定</source>
        <translation>Console locked</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="115" />
        <source>运营人员：</source>
        <translation>Operator: </translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="119" />
        <source>输入密码解锁</source>
        <translation>Password to unlock</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="124" />
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="126" />
        <source>退出登录</source>
        <translation>Sign out</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../console/views/login.py" line="46" />
        <source>登录 — 狮吼直播控制台</source>
        <extracomment>the keyring entry of a remembered operator password: ``operator-password/&lt;database&gt;#&lt;name&gt;``</extracomment>
        <translation>Sign in — Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="51" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="60" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="61" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="62" />
        <source>记住密码（保存在系统钥匙串中）</source>
        <translation>Remember the password (in the system keyring)</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="70" />
        <source>数据库：</source>
        <translation>Database: </translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="79" />
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../console/views/login.py" line="80" />
        <source>退出</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../console/views/main_window.py" line="63" />
        <location filename="../../console/views/main_window.py" line="133" />
        <location filename="../../console/views/main_window.py" line="284" />
        <source>狮吼直播控制台</source>
        <translation>Shihou Console</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="72" />
        <source>正在启动…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="80" />
        <source>账号(&amp;A)</source>
        <extracomment>The credential store 账号与密钥 edits (None: the OS keyring; the sandbox sets its own).</extracomment>
        <translation>&amp;Account</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="81" />
        <source>锁定控制台</source>
        <translation>Lock the console</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="84" />
        <source>退出登录 / 切换运营人员</source>
        <translation>Sign out / switch operator</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="138" />
        <source>用户查询</source>
        <translation>User lookup</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="146" />
        <source>直播监控</source>
        <translation>Room monitor</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="147" />
        <source>多路预览</source>
        <translation>Video wall</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="154" />
        <source>聊天审核</source>
        <translation>Chat moderation</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="160" />
        <source>推送</source>
        <translation>Pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="164" />
        <source>短信群发</source>
        <translation>SMS campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="166" />
        <source>操作队列</source>
        <translation>Action queue</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="168" />
        <source>审计日志</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="172" />
        <source>运营人员管理</source>
        <translation>Operators</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="186" />
        <source>数据库：</source>
        <translation>Database: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="188" />
        <source>实时通知 (LISTEN/NOTIFY)</source>
        <translation>live (LISTEN/NOTIFY)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="188" />
        <source>轮询同步</source>
        <translation>polling</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="189" />
        <location filename="../../console/views/main_window.py" line="361" />
        <source>已连接</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="335" />
        <source>该房间当前未开播</source>
        <translation>This room is not live</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="357" />
        <source>新告警：</source>
        <translation>New alert: </translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="363" />
        <source>事件中断，重连中</source>
        <translation>events interrupted, reconnecting</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="365" />
        <source>连接中断</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="371" />
        <source>数据库错误</source>
        <translation>database error</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../../console/views/feedback.py" line="95" />
        <source>关闭</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>NewPasswordDialog</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="287" />
        <source>%1 使用的是临时密码，请先设置自己的新密码。</source>
        <translation>%1 signed in with a temporary password: set your own new password first.</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="295" />
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="296" />
        <source>再次输入</source>
        <translation>Again</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="297" />
        <source>设置</source>
        <translation>Set</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="298" />
        <source>退出</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>OperatorModel</name>
    <message>
        <location filename="../../console/views/operators.py" line="57" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="57" />
        <source>显示名</source>
        <translation>Display name</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="57" />
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="57" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="57" />
        <source>最近登录</source>
        <translation>Last sign-in</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="58" />
        <source>连续失败</source>
        <translation>Failures</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="58" />
        <source>锁定至</source>
        <translation>Locked until</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="58" />
        <source>需改密码</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="66" />
        <source>启用</source>
        <translation>Enable</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="66" />
        <source>已停用</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="69" />
        <source>是</source>
        <translation>Yes</translation>
    </message>
</context>
<context>
    <name>OperatorsPane</name>
    <message>
        <location filename="../../console/views/operators.py" line="105" />
        <source>新建…</source>
        <translation>New…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="106" />
        <source>改角色…</source>
        <translation>Change role…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="107" />
        <source>停用…</source>
        <translation>Disable…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="108" />
        <source>启用…</source>
        <translation>Enable…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="109" />
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="119" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="122" />
        <source>账号与密钥…</source>
        <translation>Accounts and secrets…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="166" />
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="193" />
        <source>共 %1 人 · 启用 %2 · 管理员 %3</source>
        <translation>%1 operators · %2 active · %3 admins</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="236" />
        <source>选择一行后可改角色、停用、启用或重置密码。</source>
        <translation>Select a row to change its role, disable, enable or reset its password.</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="239" />
        <source>创建于 </source>
        <translation>Created </translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="241" />
        <source>下次登录须修改临时密码</source>
        <translation>Must replace a temporary password at the next sign-in</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="243" />
        <source>连续登录失败，锁定至 </source>
        <translation>Failed sign-ins: locked until </translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="274" />
        <source>已创建 %1（%2）</source>
        <translation>Created %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="292" />
        <location filename="../../console/views/operators.py" line="294" />
        <source>改角色</source>
        <translation>Change role</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="292" />
        <source>%1（%2）当前角色：%3</source>
        <translation>%1 (%2), role now: %3</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="295" />
        <source>%1 的角色已改为 %2</source>
        <translation>%1 is now %2</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="314" />
        <source>启用</source>
        <translation>Enable</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="314" />
        <source>启用 %1（%2）？对方可以重新登录。</source>
        <translation>Enable %1 (%2)? They can sign in again.</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="315" />
        <source>已启用 %1</source>
        <translation>%1 enabled</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="317" />
        <source>停用</source>
        <translation>Disable</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="317" />
        <source>停用 %1（%2）？对方正在使用的控制台会立即锁定，且无法再登录。</source>
        <translation>Disable %1 (%2)? A console they use locks at once and they cannot sign in again.</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="318" />
        <source>已停用 %1</source>
        <translation>%1 disabled</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="334" />
        <source>已为 %1 重置密码</source>
        <translation>Password of %1 reset</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="337" />
        <source>重置密码</source>
        <translation>Reset password</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="338" />
        <source>为 %1（%2）生成一个临时密码？旧密码立即失效，对方下次登录时必须修改。</source>
        <translation>Generate a temporary password for %1 (%2)? The old one stops working at once; they must replace it at the next sign-in.</translation>
    </message>
    <message>
        <location filename="../../console/views/operators.py" line="339" />
        <source>重置</source>
        <translation>Reset</translation>
    </message>
</context>
<context>
    <name>OptOutModel</name>
    <message>
        <location filename="../../console/views/sms.py" line="160" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="160" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="160" />
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="160" />
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="160" />
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
        <location filename="../../console/views/push.py" line="410" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="412" />
        <source>活动名称（仅内部可见）</source>
        <translation>Campaign name (internal only)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="413" />
        <source>通知标题</source>
        <translation>Notification title</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="416" />
        <source>通知正文</source>
        <translation>Notification text</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="418" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="419" />
        <location filename="../../console/views/push.py" line="430" />
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="420" />
        <location filename="../../console/views/push.py" line="434" />
        <source>正文</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="428" />
        <location filename="../../console/views/push.py" line="429" />
        <source>（默认同上）</source>
        <translation>(same as above by default)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="432" />
        <source>副标题（可选）</source>
        <translation>Subtitle (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="433" />
        <source>副标题</source>
        <translation>Subtitle</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="437" />
        <source>平台覆盖</source>
        <translation>Per-platform overrides</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="446" />
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="450" />
        <source>不变</source>
        <translation>Unchanged</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="450" />
        <source>设置为</source>
        <translation>Set to</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="450" />
        <source>增加</source>
        <translation>Increase by</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="451" />
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="459" />
        <source>角标</source>
        <translation>Badge</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="460" />
        <source>铃声文件名（空：静音）</source>
        <translation>Sound file name (empty: silent)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="461" />
        <source>铃声</source>
        <translation>Sound</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="462" />
        <source>直播间 ID（深链 shihou://room/…）</source>
        <translation>Room id (deep link shihou://room/…)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="463" />
        <source>跳转直播间</source>
        <translation>Open room</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="468" />
        <source>附加字段</source>
        <translation>Extras</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="473" />
        <source>默认（1 天）</source>
        <translation>Default (1 day)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="474" />
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="475" />
        <source>离线保留</source>
        <translation>Offline TTL</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="481" />
        <source>用途 / 原因（写入审计）</source>
        <translation>Purpose / reason (written to the audit log)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="482" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="486" />
        <source>输入受众人数以确认</source>
        <translation>Type the audience size to confirm</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="488" />
        <source>确认人数</source>
        <translation>Confirm size</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="492" />
        <source>校验</source>
        <translation>Validate</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="494" />
        <source>测试发送</source>
        <translation>Send test</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="496" />
        <source>发送到锁定的测试受众：</source>
        <translation>Send to the locked test audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="497" />
        <location filename="../../console/views/push.py" line="899" />
        <source>发送</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="516" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="520" />
        <source>数据库分群</source>
        <translation>Database segment</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="520" />
        <source>标签</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="520" />
        <location filename="../../console/views/push.py" line="569" />
        <source>别名</source>
        <translation>Aliases</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="521" />
        <location filename="../../console/views/push.py" line="570" />
        <source>设备 ID</source>
        <translation>Device ids</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="521" />
        <source>全部用户</source>
        <translation>All users</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="523" />
        <location filename="../../console/views/push.py" line="587" />
        <source>方式</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="524" />
        <source>任一标签（逗号分隔）</source>
        <translation>Any of the tags (comma-separated)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="525" />
        <source>同时具有</source>
        <translation>All of</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="526" />
        <source>排除</source>
        <translation>None of</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="529" />
        <source>别名（用户 ID），逗号或换行分隔</source>
        <translation>Aliases (user ids), comma or newline separated</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="533" />
        <source>Registration ID，逗号或换行分隔</source>
        <translation>Registration ids, comma or newline separated</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="538" />
        <source>近 N 天活跃</source>
        <translation>Active in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="545" />
        <source>近 N 天注册</source>
        <translation>Registered in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="550" />
        <source>在该直播间发言过的用户（房间 ID）</source>
        <translation>Users who chatted in this room (room id)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="553" />
        <source>任意设备</source>
        <translation>Any device</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="565" />
        <source>分群</source>
        <translation>Segment</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="566" />
        <source>标签(或)</source>
        <translation>Tags (any)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="567" />
        <source>标签(且)</source>
        <translation>Tags (all)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="568" />
        <source>标签(非)</source>
        <translation>Tags (none)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="572" />
        <source>受众：—</source>
        <translation>Audience: —</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="581" />
        <source>发送时间</source>
        <translation>Send time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="585" />
        <source>立即发送</source>
        <translation>Send now</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="585" />
        <source>定时一次</source>
        <translation>Once, scheduled</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="585" />
        <source>周期发送</source>
        <translation>Recurring</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="593" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="596" />
        <source>每天</source>
        <translation>Daily</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="596" />
        <source>每周</source>
        <translation>Weekly</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="596" />
        <source>每月</source>
        <translation>Monthly</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="598" />
        <source>周：MON,FRI；月：01,15</source>
        <translation>Week: MON,FRI; month: 01,15</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="602" />
        <source>周期</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="603" />
        <source>日期</source>
        <translation>Dates</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="604" />
        <source>结束</source>
        <translation>Until</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="610" />
        <source>预览（锁屏 / 横幅）</source>
        <translation>Preview (lock screen / banner)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="622" />
        <source>载荷大小</source>
        <translation>Payload size</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="633" />
        <source>预估：—</source>
        <translation>Estimate: —</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="640" />
        <source>问题</source>
        <translation>Problems</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="664" />
        <source>选择一个活动查看报表</source>
        <translation>Select a campaign to see its report</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="671" />
        <source>刷新报表</source>
        <translation>Refresh report</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="673" />
        <source>发送已批准的活动</source>
        <translation>Send approved campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="676" />
        <source>取消活动</source>
        <translation>Cancel campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="681" />
        <source>活动与报表</source>
        <translation>Campaigns and reports</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="685" />
        <source>等待第二位运营审批的推送（全员推送必须由他人批准）</source>
        <translation>Pushes awaiting a second operator's approval (a push to all users must be approved by someone else)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="689" />
        <source>审批意见（可选）</source>
        <translation>Approval note (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="692" />
        <source>批准</source>
        <translation>Approve</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="694" />
        <source>驳回</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="702" />
        <location filename="../../console/views/push.py" line="1111" />
        <source>审批</source>
        <translation>Approvals</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="713" />
        <source>改期（一次性）</source>
        <translation>Reschedule (one-off)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="715" />
        <source>取消定时</source>
        <translation>Cancel schedule</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="722" />
        <source>改期 / 取消原因</source>
        <translation>Reason to reschedule / cancel</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="724" />
        <source>定时任务</source>
        <translation>Schedules</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="836" />
        <source>（超出 %1 B）</source>
        <translation> (%1 B over)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="854" />
        <source>受众：计算中…</source>
        <translation>Audience: counting…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="862" />
        <source>受众：</source>
        <translation>Audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="865" />
        <source>受众：为空</source>
        <translation>Audience: empty</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="873" />
        <source>受众：%1 人 · %2 次推送</source>
        <translation>Audience: %1 users · %2 pushes</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="875" />
        <source>受众：至多 %1 人（估算）</source>
        <translation>Audience: at most %1 users (estimate)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="877" />
        <source>受众：人数未知</source>
        <translation>Audience: size unknown</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="891" />
        <source>此推送将到达 %1 人。请在下方输入这个数字以确认。</source>
        <translation>This push will reach %1 users. Type that number below to confirm.</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="899" />
        <source>创建定时推送</source>
        <translation>Create scheduled push</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="909" />
        <source>有 %1 处需要修改，未发送任何内容</source>
        <translation>%1 problems to fix; nothing was sent</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="948" />
        <source>正在校验…</source>
        <translation>Validating…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="953" />
        <source>预估：%1 次推送，按 %2 次/分钟约 %3 分钟完成（%4）</source>
        <translation>Estimate: %1 pushes at %2/min, about %3 min (%4)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="961" />
        <source>⚠ 全员推送需要另一位运营批准</source>
        <translation>⚠ A push to all users needs another operator's approval</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="963" />
        <source>校验通过</source>
        <translation>Validation passed</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="980" />
        <source>正在发送…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="989" />
        <source>正在测试发送…</source>
        <translation>Sending test…</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="994" />
        <source>已提交审批：需要另一位运营在其控制台批准后才会发送</source>
        <translation>Submitted for approval: it is sent once another operator approves it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="996" />
        <source>定时推送已创建</source>
        <translation>Scheduled push created</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="998" />
        <source>活动 #%1 %2</source>
        <translation>Campaign #%1 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1015" />
        <source>请先选择一条审批</source>
        <translation>Select an approval first</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1040" />
        <source>运营取消</source>
        <translation>Cancelled by operator</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1099" />
        <source>活动 #%1 被驳回</source>
        <translation>Campaign #%1 rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1157" />
        <source>推送 %1/%2 · 到达人数 %3</source>
        <translation>Pushes %1/%2 · recipients %3</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1161" />
        <source>到达 %1 · 点击 %2</source>
        <translation>Received %1 · clicked %2</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1163" />
        <source>更新于 </source>
        <translation>Updated </translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="1165" />
        <source>最后错误：</source>
        <translation>Last error: </translation>
    </message>
</context>
<context>
    <name>ReasonChooser</name>
    <message>
        <location filename="../../console/views/chat.py" line="797" />
        <source>补充说明（可选）</source>
        <extracomment>rendered rows by row key: (pixmap, cells, bg, fgs, selected), least recently painted first rows rendered into the row cache: tests, the benchmark</extracomment>
        <translation>Details (optional)</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="799" />
        <source>Enter 确认 · 数字键选择原因并确认 · Esc 取消</source>
        <translation>Enter confirms · a digit picks a reason and confirms · Esc cancels</translation>
    </message>
</context>
<context>
    <name>ReportChart</name>
    <message>
        <location filename="../../console/views/push.py" line="316" />
        <source>到达与点击（按平台）</source>
        <translation>Received and clicked (by platform)</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="318" />
        <source>到达</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="319" />
        <source>点击</source>
        <translation>Clicked</translation>
    </message>
</context>
<context>
    <name>RoomMonitorPane</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="963" />
        <source>房间号、标题、主播、分类 — Ctrl+F；X 切断，R 恢复，P 预览</source>
        <translation>Room, title, streamer, category — Ctrl+F; X cuts, R resumes, P previews</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="966" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="966" />
        <source>仅告警</source>
        <translation>Alerts only</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="966" />
        <source>直播中</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="967" />
        <source>已切断</source>
        <translation>Cut</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="988" />
        <source>选择一个房间查看健康曲线</source>
        <translation>Select a room to see its health chart</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="998" />
        <source>该房间最近的截图</source>
        <translation>The room's latest snapshot</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1063" />
        <source>直播 %1 · 告警 %2 · 已切断 %3</source>
        <translation>Live %1 · alerts %2 · cut %3</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1074" />
        <source>直播告警</source>
        <translation>Stream alert</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1116" />
        <source>暂无截图</source>
        <translation>No snapshot yet</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1157" />
        <source>请先选择一个已登记的房间</source>
        <translation>Select a registered room first</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1192" />
        <source>正在执行…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1197" />
        <source>已完成：</source>
        <translation>Done: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1199" />
        <source>已排队，将自动重试：</source>
        <translation>Queued, will retry: </translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="1201" />
        <source>操作失败：</source>
        <translation>Failed: </translation>
    </message>
</context>
<context>
    <name>RoomTableModel</name>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>房间</source>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>主播</source>
        <translation>Streamer</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="212" />
        <source>画面</source>
        <extracomment>Above this many rows moving in one refresh, one layout change is cheaper than single moves. Columns drawn right-aligned (numbers).</extracomment>
        <translation>Picture</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="213" />
        <source>风险</source>
        <translation>Risk</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>观众</source>
        <translation>Viewers</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>视频 kbps</source>
        <translation>Video kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="214" />
        <source>音频 kbps</source>
        <translation>Audio kbps</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="215" />
        <source>帧率</source>
        <translation>FPS</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="215" />
        <source>分辨率</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="215" />
        <source>关键帧</source>
        <translation>Keyframe</translation>
    </message>
    <message>
        <location filename="../../console/views/room_monitor.py" line="216" />
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
        <location filename="../../console/views/push.py" line="296" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="296" />
        <source>活动</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="296" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="296" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="296" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../console/views/push.py" line="297" />
        <source>创建人</source>
        <translation>Created by</translation>
    </message>
</context>
<context>
    <name>SessionGuard</name>
    <message>
        <location filename="../../console/views/session_lock.py" line="207" />
        <source>超过 %1 分钟没有操作，控制台已锁定。</source>
        <translation>Locked after %1 minutes without input.</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="236" />
        <source>控制台已锁定。</source>
        <translation>The console is locked.</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="250" />
        <source>此账号已被管理员停用。请联系管理员；可以退出登录后换其他运营人员登录。</source>
        <translation>An admin disabled this account. Contact an admin; you can sign out and let another operator sign in.</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="252" />
        <source>此账号已被管理员停用</source>
        <translation>This account was disabled by an admin</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="279" />
        <source>请输入密码</source>
        <translation>Type the password</translation>
    </message>
    <message>
        <location filename="../../console/views/session_lock.py" line="282" />
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>SmsPane</name>
    <message>
        <location filename="../../console/views/sms.py" line="281" />
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="283" />
        <source>活动名称（仅内部可见）</source>
        <translation>Campaign name (internal only)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="284" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="287" />
        <source>服务商已审核通过的通知 / 营销模板</source>
        <translation>Notice / marketing templates approved by the vendor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="288" />
        <source>模板</source>
        <translation>Template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="290" />
        <source>模板编号（空：同步全部模板）</source>
        <translation>Template code (empty: sync every template)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="291" />
        <source>从服务商同步</source>
        <translation>Sync from vendor</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="296" />
        <source>同步模板</source>
        <translation>Sync template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="300" />
        <source>变量</source>
        <translation>Variables</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="307" />
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="313" />
        <source>受众</source>
        <translation>Audience</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="317" />
        <source>近 N 天活跃的用户</source>
        <translation>Users active in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="317" />
        <source>近 N 天注册的用户</source>
        <translation>Users registered in the last N days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="318" />
        <source>指定用户 ID</source>
        <translation>Given user IDs</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="320" />
        <location filename="../../console/views/sms.py" line="362" />
        <source>方式</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="325" />
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="326" />
        <source>天数</source>
        <translation>Days</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="329" />
        <source>用户 ID，逗号或换行分隔</source>
        <translation>User IDs, separated by commas or new lines</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="332" />
        <source>用户 ID</source>
        <translation>User ID</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="334" />
        <source>受众：—</source>
        <translation>Audience: —</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="341" />
        <source>发送时间</source>
        <translation>Send time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="355" />
        <source>（北京时间，起止相同则不限）</source>
        <translation>(Beijing time; same start and end: no quiet hours)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="357" />
        <source>免打扰</source>
        <translation>Quiet hours</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="360" />
        <source>批准后立即发送</source>
        <translation>Send as soon as approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="361" />
        <source>定时发送</source>
        <translation>Send at a set time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="367" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="371" />
        <source>用途 / 原因（写入审计）</source>
        <translation>Purpose / reason (written to the audit log)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="372" />
        <location filename="../../console/views/sms.py" line="473" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="376" />
        <source>输入受众人数以确认</source>
        <translation>Type the audience size to confirm</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="378" />
        <source>确认人数</source>
        <translation>Confirm size</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="381" />
        <source>提交审批</source>
        <translation>Submit for approval</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="384" />
        <source>每个短信活动都需要另一位运营批准后才会发送（Ctrl+Enter）</source>
        <translation>Every SMS campaign is sent only after another operator approves it (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="418" />
        <source>选择一个活动查看投递报表</source>
        <translation>Select a campaign to see its delivery report</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="425" />
        <source>查询回执</source>
        <translation>Fetch receipts</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="428" />
        <source>发送已批准的活动</source>
        <translation>Send approved campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="431" />
        <source>取消原因</source>
        <translation>Reason for cancelling</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="432" />
        <source>取消活动</source>
        <translation>Cancel campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="438" />
        <source>活动与报表</source>
        <translation>Campaigns and reports</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="442" />
        <source>等待第二位运营审批的短信活动（不能审批自己提交的活动）</source>
        <translation>SMS campaigns awaiting a second operator's approval (you cannot approve your own)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="446" />
        <source>审批意见（驳回时必填）</source>
        <translation>Note (required to reject)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="449" />
        <source>批准</source>
        <translation>Approve</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="451" />
        <source>驳回</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="459" />
        <location filename="../../console/views/sms.py" line="865" />
        <source>审批</source>
        <translation>Approvals</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="463" />
        <source>按号码查找（数字）</source>
        <translation>Find by number (digits)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="470" />
        <source>手机号，如 138 1234 1234</source>
        <translation>Phone, e.g. 138 1234 1234</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="471" />
        <source>原因（添加与移除都写入审计）</source>
        <translation>Reason (adding and removing are both audited)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="472" />
        <source>手机号</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="476" />
        <source>加入拒收名单</source>
        <translation>Add to opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="479" />
        <source>移出所选号码</source>
        <translation>Remove selected number</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="485" />
        <source>拒收名单</source>
        <translation>Opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="508" />
        <source>${%1} 的值</source>
        <translation>Value of ${%1}</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="522" />
        <source>（没有可用的模板：先从服务商同步一个已审核的模板）</source>
        <translation>(No usable template: sync an approved template from the vendor first)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="530" />
        <source>%1 字 · 按 %2 条计费</source>
        <translation>%1 characters · billed as %2 message(s)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="532" />
        <source>未填：</source>
        <translation>Missing: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="559" />
        <source>受众：计算中…</source>
        <translation>Audience: counting…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="570" />
        <source>受众：</source>
        <translation>Audience: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="577" />
        <source>受众：%1 人</source>
        <translation>Audience: %1 users</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="579" />
        <source>（已排除拒收 %1 人）</source>
        <translation>(%1 opted out, excluded)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="581" />
        <source>受众：为空（没有可发送的用户）</source>
        <translation>Audience: empty (nobody to send to)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="591" />
        <source>此活动将发送给 %1 人。请在下方输入这个数字以确认。</source>
        <translation>This campaign goes to %1 users. Type this number below to confirm.</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="610" />
        <source>有 %1 处需要修改，未发送任何内容</source>
        <translation>%1 problems to fix; nothing was sent</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="620" />
        <source>不能审批自己提交的活动：需要另一位运营在其控制台批准</source>
        <translation>You cannot approve your own campaign: another operator must approve it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="633" />
        <source>请选择一个已审核的模板</source>
        <translation>Choose an approved template</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="635" />
        <location filename="../../console/views/sms.py" line="637" />
        <location filename="../../console/views/sms.py" line="639" />
        <source>必填</source>
        <translation>Required</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="652" />
        <source>定时时间已过去：%1</source>
        <translation>The scheduled time is in the past: %1</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="660" />
        <source>正在生成收件人名单…</source>
        <translation>Building the recipient list…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="667" />
        <source>活动 #%1 已提交审批（%2 人）：需要另一位运营在其控制台批准后才会发送</source>
        <translation>Campaign #%1 submitted for approval (%2 users): it is sent only after another operator approves it in their console</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="677" />
        <source>已从服务商同步 %1 个模板，其中 %2 个可用于活动</source>
        <translation>Synced %1 templates from the vendor, %2 usable for campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="682" />
        <location filename="../../console/views/sms.py" line="692" />
        <source>正在同步模板…</source>
        <translation>Syncing template…</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="686" />
        <source>已审核</source>
        <translation>approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="686" />
        <source>未通过审核，不能用于活动</source>
        <translation>not approved; cannot be used for campaigns</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="687" />
        <source>模板 %1 已同步：%2</source>
        <translation>Template %1 synced: %2</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="697" />
        <source>请先选择一条审批</source>
        <translation>Select an approval first</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="705" />
        <source>已批准</source>
        <translation>approved</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="705" />
        <source>已驳回</source>
        <translation>rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="706" />
        <source>审批 #%1 %2</source>
        <translation>Approval #%1 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="744" />
        <source>活动 #%1 将于 %2 开始发送（定时或免打扰时段）</source>
        <translation>Campaign #%1 starts sending at %2 (schedule or quiet hours)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="747" />
        <source>活动 #%1 还有 %2 人待重试</source>
        <translation>Campaign #%1: %2 recipients left to retry</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="751" />
        <source>活动 #%1 发送完毕：%2 条已提交，%3 条失败</source>
        <translation>Campaign #%1 finished: %2 accepted, %3 failed</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="773" />
        <source>已加入拒收名单</source>
        <translation>Added to the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="773" />
        <source>该号码已在拒收名单中</source>
        <translation>This number is already on the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="783" />
        <source>请先选择一个号码</source>
        <translation>Select a number first</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="789" />
        <source>%1 已移出拒收名单</source>
        <translation>%1 removed from the opt-out list</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="820" />
        <source>营销</source>
        <translation>marketing</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="820" />
        <source>通知</source>
        <translation>notice</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="847" />
        <source>活动 #%1 已获批准，开始发送</source>
        <translation>Campaign #%1 approved; sending</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="852" />
        <source>活动 #%1 被驳回</source>
        <translation>Campaign #%1 rejected</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="916" />
        <source>共 %1 人 · 待发 %2 · 已发送 %3 · 已送达 %4 · 失败 %5 · 等待回执 %6 · 拒收跳过 %7</source>
        <translation>%1 recipients · %2 to send · %3 sent · %4 delivered · %5 failed · %6 awaiting receipt · %7 skipped (opted out)</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="921" />
        <source>错误：</source>
        <translation>Errors: </translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="923" />
        <source>等待至 </source>
        <translation>Waiting until </translation>
    </message>
</context>
<context>
    <name>SmsReportChart</name>
    <message>
        <location filename="../../console/views/sms.py" line="177" />
        <source>投递报表</source>
        <translation>Delivery report</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="190" />
        <source>活动</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <location filename="../../console/views/sms.py" line="207" />
        <source>活动 #%1</source>
        <translation>Campaign #%1</translation>
    </message>
</context>
<context>
    <name>TemporaryPasswordDialog</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="255" />
        <source>临时密码</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="257" />
        <source>%1 的临时密码（只显示这一次）：</source>
        <translation>Temporary password of %1 (shown only this once):</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="264" />
        <source>请当面或通过安全渠道交给对方；对方首次登录时必须修改。关闭后无法再次查看。</source>
        <translation>Hand it over in person or through a safe channel; they must replace it at their first sign-in. It cannot be shown again after closing.</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="267" />
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="268" />
        <source>复制</source>
        <translation>Copy</translation>
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
    <name>WorkerStatusLabel</name>
    <message>
        <location filename="../../console/views/worker_status.py" line="63" />
        <source>本机执行</source>
        <translation>Run in this console</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="65" />
        <source>%1 个执行器</source>
        <translation>%1 workers</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="67" />
        <source>无执行器在线</source>
        <translation>No worker online</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="68" />
        <source>后台任务：</source>
        <translation>Background jobs:</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="68" />
        <source>%1 待办</source>
        <translation>%1 waiting</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="70" />
        <source>%1 失败</source>
        <translation>%1 failed</translation>
    </message>
    <message>
        <location filename="../../console/views/worker_status.py" line="73" />
        <source>执行器（worker）每几秒写一次心跳；待办：排队中的操作与作业；失败：近一天失败的操作与作业</source>
        <translation>A worker writes a heartbeat every few seconds; waiting: queued actions and jobs; failed: actions and jobs that failed in the last day</translation>
    </message>
</context>
<context>
    <name>_RunningDialog</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="83" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="101" />
        <source>正在保存…</source>
        <translation>Saving…</translation>
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
<context>
    <name>chat</name>
    <message>
        <location filename="../../console/views/chat.py" line="203" />
        <source>敏感词</source>
        <extracomment>At most ~15 layouts a second: the queue is moved into the model at most once per FLUSH_MS. Rows kept in memory per feed (the database keeps the rest); while paused the window may grow to 2×. Elided cell texts remembered (eliding a CJK line lays it out). Rows rendered ahead per turn of the event loop (about 0.3 ms each) Texts of at most STATIC_CHARS characters outside the message column are kept laid out (QStaticText) Rendered rows kept by the feed view, in screens (rows on screen × this; a 1,400-px row is ~120 KB) characters at least as wide as any a chat line usually holds (Latin, CJK, emoji) A cell shows at most this many characters (the detail panel shows ChatLine.display, itself bounded). Ctrl+Z reverses the last action for this long after its key press. One read returns at most this many lines; a full page is followed by another read at once. A new read starts at most this often (events arrive up to 50/s at high rates; a read costs the UI thread ~1–5 ms whatever its size: a pooled connection, its ping, the query). Lines of the first read of a feed. The cross-room flagged feed starts from the flagged lines among this many latest messages (flagging runs on the UI thread: ~40 µs a line measured here, so 2,000 lines ≈ 0.1 s once). Near-duplicates collapse into one row from this many lines within FLOOD_WINDOW_S (or one batch). A flood row already shown takes its new count at most this often (seconds). A flood row this close to the bottom is updated where it is; further up it moves down to the newest. the combined feed of flagged lines across rooms every room's lines Preset reasons (the digit picks one in the reason chooser). Flag kinds in words (marked for lupdate; translated where shown).</extracomment>
        <translation>Sensitive words</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="203" />
        <source>规则</source>
        <translation>Rule</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="204" />
        <source>链接</source>
        <translation>Link</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="204" />
        <source>新账号</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="205" />
        <source>重复</source>
        <translation>Repeated</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="206" />
        <source>融云已替换</source>
        <translation>Replaced by RongCloud</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="212" />
        <location filename="../../console/views/chat.py" line="225" />
        <location filename="../../console/views/chat.py" line="229" />
        <source>撤回</source>
        <extracomment>The default ladder's labels (DEFAULT_LADDER) come from data, so lupdate cannot see them in a tr() call: they are marked here and translated by ladder_text().</extracomment>
        <translation>Recall</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="212" />
        <source>禁言10分钟</source>
        <translation>Gag 10 min</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="213" />
        <source>禁言1小时</source>
        <translation>Gag 1 h</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="213" />
        <location filename="../../console/views/chat.py" line="231" />
        <source>本场禁言</source>
        <translation>Gag for this live session</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="213" />
        <location filename="../../console/views/chat.py" line="240" />
        <source>封禁</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="233" />
        <source>禁言%1小时</source>
        <translation>Gag %1 h</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="235" />
        <source>禁言%1分钟</source>
        <translation>Gag %1 min</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="237" />
        <source>封禁%1天</source>
        <translation>Block %1 days</translation>
    </message>
    <message>
        <location filename="../../console/views/chat.py" line="239" />
        <source>封禁%1分钟</source>
        <translation>Block %1 min</translation>
    </message>
</context>
<context>
    <name>login</name>
    <message>
        <location filename="../../console/views/feedback.py" line="27" />
        <source>%1 秒</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="28" />
        <source>%1 分钟</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="34" />
        <source>此账号已被停用，请联系管理员重新启用</source>
        <translation>This account is disabled: an admin can enable it again</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="36" />
        <source>登录失败次数过多，请在 %1 后重试</source>
        <translation>Too many failed sign-ins: try again in %1</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="38" />
        <source>用户名或密码错误</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <location filename="../../console/views/feedback.py" line="40" />
        <source>；请在 %1 后再试</source>
        <translation>; try again in %1</translation>
    </message>
</context>
<context>
    <name>operators</name>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="146" />
        <source>新建运营人员</source>
        <translation>New operator</translation>
    </message>
    <message>
        <location filename="../../console/views/operator_dialogs.py" line="284" />
        <source>设置新密码</source>
        <translation>Set a new password</translation>
    </message>
</context>
</TS>