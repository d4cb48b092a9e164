<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/shell/about.py" line="36"/>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="56"/>
        <source>About Parley</source>
        <translation>关于 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="58"/>
        <source>Parley</source>
        <translation>Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="63"/>
        <source>A private chat assistant that runs language models on this computer.</source>
        <translation>在本机运行语言模型的私密聊天助手。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="80"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="82"/>
        <source>Copy these details</source>
        <translation>复制这些信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="83"/>
        <source>Copy these details, for a bug report</source>
        <translation>复制这些信息，用于报告问题</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="89"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="102"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="103"/>
        <source>llama.cpp</source>
        <translation>llama.cpp</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="104"/>
        <source>Backends</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="105"/>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="106"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about.py" line="117"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>ApiServerTab</name>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="32"/>
        <source>Serve Parley&apos;s models to other programs on this computer</source>
        <translation>向这台电脑上的其他程序提供 Parley 的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="36"/>
        <source>Programs that speak the OpenAI API can use the model Parley has loaded, or any installed model they name, at /v1/chat/completions and /v1/models. They wait in line with your own chats.</source>
        <translation>支持 OpenAI API 的程序可以通过 /v1/chat/completions 和 /v1/models 使用 Parley 已加载的模型，或它们指定的任意已安装模型。它们会与你自己的对话一起排队。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="47"/>
        <source>Let other computers connect (listen on every network)</source>
        <translation>允许其他电脑连接（在所有网络上监听）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="51"/>
        <source>Anyone on your network who has the key can then use your model and see nothing else; without a key Parley refuses to listen. Prefer this computer only.</source>
        <translation>这样，你网络中任何持有密钥的人都能使用你的模型（但看不到其他任何内容）；没有密钥时 Parley 拒绝监听。建议仅限这台电脑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="60"/>
        <source>None (this computer only)</source>
        <translation>无（仅限这台电脑）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="65"/>
        <source>Allow web pages to call it (CORS)</source>
        <translation>允许网页调用（CORS）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="72"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="75"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="78"/>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="98"/>
        <source>To let other computers connect, set an API key first.</source>
        <translation>要允许其他电脑连接，请先设置 API 密钥。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="117"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/api_server_tab.py" line="119"/>
        <source>this computer&apos;s address</source>
        <translation>这台电脑的地址</translation>
    </message>
</context>
<context>
    <name>ApiStatusLabel</name>
    <message>
        <location filename="../../app/ui/shell/api_status.py" line="29"/>
        <source>API: a program is using the model</source>
        <translation>API：有程序正在使用模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/api_status.py" line="31"/>
        <source>API: programs are using the model ({count} requests)</source>
        <translation>API：有程序正在使用模型（{count} 个请求）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/api_status.py" line="33"/>
        <source>API: serving at {url}</source>
        <translation>API：正在 {url} 提供服务</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/api_status.py" line="34"/>
        <source>Settings → Local API server</source>
        <translation>设置 → 本地 API 服务器</translation>
    </message>
</context>
<context>
    <name>AppError</name>
    <message>
        <location filename="../../app/core/errors.py" line="31"/>
        <source>nothing answers at {host}; is the server running?</source>
        <translation>{host} 没有响应；服务器在运行吗？</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="33"/>
        <source>The folder {folder} was still being indexed ({done} of {total} files), so some of it was not searched.</source>
        <translation>文件夹 {folder} 仍在建立索引（已完成 {done} / {total} 个文件），因此其中部分内容未被搜索。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="36"/>
        <source>The folder {folder} is no longer there, so it was not searched.</source>
        <translation>文件夹 {folder} 已不存在，因此未被搜索。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="38"/>
        <source>The draft model “{draft}” cannot draft for “{model}”: its vocabulary is not the same, so none of its guesses could be accepted. Choose another draft model, or Auto.</source>
        <translation>草稿模型“{draft}”不能为“{model}”起草：两者的词表不同，它的猜测一个也不会被接受。请选择其他草稿模型，或选“自动”。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="44"/>
        <source>it is not JSON (line {line}, column {column})</source>
        <translation>它不是 JSON（第 {line} 行，第 {column} 列）</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="45"/>
        <source>it must be a JSON object, not a list, text or a number</source>
        <translation>它必须是 JSON 对象，而不是列表、文本或数字</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="46"/>
        <source>the type at {where} is “{value}”; use string, number, integer, boolean, object, array or null</source>
        <translation>{where} 处的类型是“{value}”；请使用 string、number、integer、boolean、object、array 或 null</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="49"/>
        <source>the $ref at {where} does not point to a part of this schema</source>
        <translation>{where} 处的 $ref 没有指向本 Schema 中的某一部分</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="50"/>
        <source>the pattern at {where} must start with ^ and end with $</source>
        <translation>{where} 处的 pattern 必须以 ^ 开头、以 $ 结尾</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="51"/>
        <source>“{keyword}” at {where} has a value JSON Schema does not allow</source>
        <translation>{where} 处的“{keyword}”的值不符合 JSON Schema 的规定</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="79"/>
        <source>Something went wrong: {reason}</source>
        <translation>出了点问题：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="97"/>
        <source>No model called “{name}” is installed, and no such file exists.</source>
        <translation>没有安装名为“{name}”的模型，也找不到这个文件。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="101"/>
        <source>The model file {path} could not be loaded: {reason}</source>
        <translation>无法加载模型文件 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="109"/>
        <source>This model needs a newer Parley: its architecture “{architecture}” is unknown to this version.</source>
        <translation>这个模型需要更新版本的 Parley：此版本不认识它的架构“{architecture}”。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="115"/>
        <source>{path} is not a usable GGUF model file: {reason}</source>
        <translation>{path} 不是可用的 GGUF 模型文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="119"/>
        <source>The model engine stopped unexpectedly ({reason}). Your conversation is safe; the next message starts a fresh engine.</source>
        <translation>模型引擎意外停止（{reason}）。您的对话已安全保存；发送下一条消息时会启动新的引擎。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="127"/>
        <source>The answer could not be generated: {reason}</source>
        <translation>无法生成回答：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="131"/>
        <source>An answer that follows its persona&apos;s JSON Schema cannot be continued (the JSON would break); regenerate it for a whole answer.</source>
        <translation>遵循角色 JSON Schema 的回答无法继续（JSON 会被破坏）；请重新生成以得到完整的回答。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="139"/>
        <source>Parley could not look inside this answer: {reason}</source>
        <translation>Parley 无法查看这个回答的内部：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="143"/>
        <source>Message {message} is not an answer of conversation {conversation}.</source>
        <translation>消息 {message} 不是对话 {conversation} 中的回答。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="147"/>
        <source>The message is too long for this model&apos;s context ({tokens} tokens, the limit is {limit}). Shorten it or start a new conversation.</source>
        <translation>这条消息超出了该模型的上下文长度（{tokens} 个词元，上限为 {limit}）。请缩短消息，或开始新的对话。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="155"/>
        <source>The history database {path} was written by a newer version of Parley (schema {found}, this version knows {known}). It was left untouched; please update Parley.</source>
        <translation>历史数据库 {path} 由更新版本的 Parley 写入（架构版本 {found}，当前版本只支持到 {known}）。该文件未被改动；请更新 Parley。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="163"/>
        <source>The history database {path} is damaged and could not be opened: {reason}. It was left untouched.</source>
        <translation>历史数据库 {path} 已损坏，无法打开：{reason}。该文件未被改动。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="172"/>
        <source>The history database {path} turned out to be damaged while Parley was using it: {reason}.</source>
        <translation>Parley 使用历史数据库 {path} 时发现它已损坏：{reason}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="179"/>
        <source>Parley could not save to {path}: {reason}</source>
        <translation>Parley 无法保存到 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="183"/>
        <source>The disk holding {path} is full: free some space and try again; nothing already saved was lost.</source>
        <translation>{path} 所在的磁盘已满：请腾出一些空间后重试；已保存的内容都没有丢失。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="189"/>
        <source>Parley cannot write to {path}: the folder or the file is read-only. Nothing was changed.</source>
        <translation>Parley 无法写入 {path}：文件夹或文件是只读的。没有任何内容被更改。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="195"/>
        <source>The backup copy {path} did not pass its check, so it was not kept: {reason}</source>
        <translation>备份副本 {path} 未通过检查，因此没有保留：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="201"/>
        <source>An answer is being written. Stop it or let it finish, then restore the backup.</source>
        <translation>正在生成回答。请先停止或等待其完成，再恢复备份。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="207"/>
        <source>There is no conversation with the id {id}.</source>
        <translation>不存在 ID 为 {id} 的对话。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="211"/>
        <source>The Hugging Face Hub can&apos;t be reached ({reason}). Installed models keep working; try again when you are online.</source>
        <translation>无法连接 Hugging Face Hub（{reason}）。已安装的模型仍可正常使用；请在联网后重试。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="219"/>
        <source>{repo} is gated: accept its licence on the Hugging Face Hub, then add an access token in Settings.</source>
        <translation>{repo} 需要授权访问：请先在 Hugging Face Hub 上接受其许可协议，然后在“设置”中添加访问令牌。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="226"/>
        <source>The Hugging Face Hub has no {what}.</source>
        <translation>Hugging Face Hub 上没有 {what}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="230"/>
        <source>The Hugging Face Hub has no repository “{repo}” (or it is private).</source>
        <translation>Hugging Face Hub 上没有仓库“{repo}”（或者它是私有的）。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="234"/>
        <source>The Hugging Face Hub has no revision “{revision}” in {repo}.</source>
        <translation>Hugging Face Hub 上的 {repo} 中没有版本“{revision}”。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="238"/>
        <source>The Hugging Face Hub has no file “{file}” in {repo}.</source>
        <translation>Hugging Face Hub 上的 {repo} 中没有文件“{file}”。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="242"/>
        <source>This model was moved on the Hub; search for it.</source>
        <translation>这个模型在 Hub 上已被移走，请搜索它。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="246"/>
        <source>“{repo}” is not a valid name for a repository on the Hugging Face Hub.</source>
        <translation>“{repo}”不是 Hugging Face Hub 上有效的仓库名称。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="250"/>
        <source>The Hugging Face Hub has no GGUF model file in {repo}.</source>
        <translation>Hugging Face Hub 上的 {repo} 中没有 GGUF 模型文件。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="254"/>
        <source>The Hugging Face Hub refused the request: {reason}</source>
        <translation>Hugging Face Hub 拒绝了请求：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="258"/>
        <source>There is not enough free disk space for {name}: it needs {needed}, but only {free} is free in {path}.</source>
        <translation>磁盘空间不足，无法保存 {name}：需要 {needed}，但 {path} 中只剩 {free}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="265"/>
        <source>The downloaded file {file} does not match the checksum published on the Hub, so it was deleted. Please download it again.</source>
        <translation>下载的文件 {file} 与 Hub 上公布的校验和不一致，已被删除。请重新下载。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="273"/>
        <source>The download of {file} was interrupted ({reason}). What arrived is kept; starting the download again resumes where it stopped.</source>
        <translation>{file} 的下载中断了（{reason}）。已下载的部分会保留；重新开始下载时将从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="281"/>
        <source>The file name “{name}” would be saved outside the models folder, so it was refused.</source>
        <translation>文件名“{name}”会使文件保存到模型文件夹之外，因此已被拒绝。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="287"/>
        <source>The model {name} was not removed: {reason}</source>
        <translation>模型 {name} 未被删除：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="291"/>
        <source>{name} could not be loaded: {reason}. The conversation goes on with {previous}.</source>
        <translation>无法加载 {name}：{reason}。对话将继续使用 {previous}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="297"/>
        <source>{name} could not be loaded: {reason}. The conversation keeps it: send again once the server answers, or use another model.</source>
        <translation>无法加载 {name}：{reason}。此对话仍使用它：服务器恢复应答后请重新发送，或改用其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="305"/>
        <source>The models folder already has a file called {name}, so {path} was not copied over it.</source>
        <translation>模型文件夹中已有名为 {name} 的文件，因此没有用 {path} 覆盖它。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="311"/>
        <source>{name} is writing an answer right now. Stop the answer or let it finish, then delete the model.</source>
        <translation>{name} 正在生成回答。请先停止回答或等它完成，然后再删除该模型。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="317"/>
        <source>Parley cannot read its settings file {path} ({reason}). Check its permissions, or move it away.</source>
        <translation>Parley 无法读取设置文件 {path}（{reason}）。请检查它的权限，或将它移走。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="323"/>
        <source>The model engine stopped responding, so Parley ended it. Your answer was kept up to where it stopped; the next message starts a fresh engine.</source>
        <translation>模型引擎停止了响应，Parley 已将其结束。回答已保留到停止之处；下一条消息会启动新的引擎。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="331"/>
        <source>This chat template cannot be used ({reason}); the model keeps the template it had.</source>
        <translation>无法使用此聊天模板（{reason}）；模型保留原来的模板。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="337"/>
        <source>Only an answer to one of your messages can be regenerated or continued, and only your own message edited.</source>
        <translation>只有对你的消息的回答才能重新生成或继续，也只有你自己的消息可以编辑。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="344"/>
        <source>{path} is not a conversation export Parley can read: {reason}</source>
        <translation>{path} 不是 Parley 能读取的对话导出文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="350"/>
        <source>This conversation no longer fits in the model&apos;s memory ({tokens} tokens, the limit is {limit}), so the answer did not start. Start a new conversation with a summary, or let Parley drop the oldest turns.</source>
        <translation>这段对话已超出模型的记忆（{tokens} 个词元，上限为 {limit}），因此回答没有开始。可以带着摘要开始新的对话，或者让 Parley 丢弃最早的几轮对话。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="358"/>
        <source>The persona&apos;s {field} is not valid: {reason}</source>
        <translation>角色的{field}无效：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="362"/>
        <source>The JSON Schema cannot be used: {reason}</source>
        <translation>无法使用该 JSON Schema：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="366"/>
        <source>The personas file could not be read: {reason}</source>
        <translation>无法读取角色文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="370"/>
        <source>There is no persona named {name}.</source>
        <translation>没有名为 {name} 的角色。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="374"/>
        <source>There is no project named {name}.</source>
        <translation>没有名为 {name} 的项目。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="378"/>
        <source>A project needs a name that no other project has: “{name}” cannot be used.</source>
        <translation>项目需要一个与其他项目不同的名称：不能使用“{name}”。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="384"/>
        <source>No memory matches {what}.</source>
        <translation>没有与 {what} 相符的记忆。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="388"/>
        <source>{name} ships with Parley: it can be reset to its shipped text, not deleted.</source>
        <translation>{name} 是 Parley 自带的角色：可以恢复为自带的内容，但不能删除。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="394"/>
        <source>The export could not be written to {path}: {reason}</source>
        <translation>无法将导出内容写入 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="398"/>
        <source>“{url}” is not a server address; enter one such as http://192.168.1.20:8000/v1.</source>
        <translation>“{url}”不是服务器地址；请输入类似 http://192.168.1.20:8000/v1 的地址。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="404"/>
        <source>The server {host} could not be used: {reason}</source>
        <translation>无法使用服务器 {host}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="408"/>
        <source>The connection to {host} was lost in the middle of the answer ({reason}). What arrived is kept.</source>
        <translation>回答途中与 {host} 的连接断开了（{reason}）。已收到的内容会保留。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="414"/>
        <source>The local API server could not start: {reason}</source>
        <translation>本地 API 服务器无法启动：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="418"/>
        <source>The local API server listens on {host}, which other computers can reach, so it needs an API key. Set one in Settings → Local API server.</source>
        <translation>本地 API 服务器监听在 {host}，其他电脑可以访问，因此需要 API 密钥。请在“设置 → 本地 API 服务器”中设置。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="428"/>
        <source>{name} could not be read: {reason}</source>
        <translation>无法读取 {name}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="432"/>
        <source>{name} has no text in it, so it was not attached.</source>
        <translation>{name} 中没有文字，因此未附加。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="436"/>
        <source>{name} is a scanned PDF with no text layer, so it was not attached; run it through OCR first.</source>
        <translation>{name} 是没有文字层的扫描版 PDF，因此未附加；请先对它进行 OCR 文字识别。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="442"/>
        <source>{name} is protected with a password, so it was not attached; save an unprotected copy first.</source>
        <translation>{name} 受密码保护，因此未附加；请先另存一份不受保护的副本。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="448"/>
        <source>{name} is not a kind of file Parley can read; attach text, Markdown, PDF, Word (.docx), HTML, CSV or code.</source>
        <translation>Parley 无法读取 {name} 这类文件；请附加文本、Markdown、PDF、Word (.docx)、HTML、CSV 或代码文件。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="455"/>
        <source>{name} is a binary file, not text, so it was not attached.</source>
        <translation>{name} 是二进制文件而非文本，因此未附加。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="459"/>
        <source>{name} is {size}, larger than the {limit} Parley reads, so it was not attached.</source>
        <translation>{name} 大小为 {size}，超过了 Parley 可读取的 {limit}，因此未附加。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="465"/>
        <source>{name} could not be read, so it was not attached: {reason}</source>
        <translation>无法读取 {name}，因此未附加：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="471"/>
        <source>The library&apos;s index was damaged; it was set aside as {path} and will be rebuilt from your folders.</source>
        <translation>资料库的索引已损坏；已将其另存为 {path}，并将根据你的文件夹重新建立。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="478"/>
        <source>{path} is not a folder Parley can index.</source>
        <translation>{path} 不是 Parley 可以建立索引的文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="482"/>
        <source>The library has no folder {path}.</source>
        <translation>资料库中没有文件夹 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="486"/>
        <source>The embedding model {name} stopped unexpectedly ({reason}); the next search starts it again.</source>
        <translation>嵌入模型 {name} 意外停止（{reason}）；下次搜索时会重新启动它。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="492"/>
        <source>The embedding model {name} could not embed the text: {reason}</source>
        <translation>嵌入模型 {name} 无法为文本生成向量：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="499"/>
        <source>Voice does not work here: {reason}</source>
        <translation>语音在这里无法使用：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="503"/>
        <source>Sound does not work here because the PortAudio library is missing (on Linux: libportaudio2).</source>
        <translation>缺少 PortAudio 库，所以这里无法使用声音（Linux 上请安装 libportaudio2）。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="509"/>
        <source>No microphone was found; connect one and try again.</source>
        <translation>没有找到麦克风；请连接一个后再试。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="513"/>
        <source>The microphone {device} could not be opened; allow Parley to use it in the system&apos;s settings.</source>
        <translation>无法打开麦克风 {device}；请在系统设置中允许 Parley 使用它。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="519"/>
        <source>The audio device {device} cannot be used: {reason}</source>
        <translation>无法使用音频设备 {device}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="523"/>
        <source>The speech model “{name}” is not installed; choose an installed one in Settings → Voice.</source>
        <translation>语音模型“{name}”尚未安装；请在 设置 → 语音 中选择一个已安装的模型。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="529"/>
        <source>The speech model “{name}” could not be loaded: {reason}</source>
        <translation>无法加载语音模型“{name}”：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="202"/>
        <source>offline mode is on (HF_HUB_OFFLINE)</source>
        <translation>已开启离线模式（HF_HUB_OFFLINE）</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="204"/>
        <source>the server does not answer like a Hugging Face Hub</source>
        <translation>该服务器的响应不像 Hugging Face Hub</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="212"/>
        <source>the connection timed out</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="222"/>
        <source>its address could not be looked up</source>
        <translation>无法解析其地址</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="224"/>
        <source>the connection was refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <location filename="../../app/core/models/hub.py" line="225"/>
        <source>no connection could be made</source>
        <translation>无法建立连接</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <location filename="../../app/ui/shell/application.py" line="108"/>
        <source>Parley cannot start</source>
        <translation>Parley 无法启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/application.py" line="186"/>
        <source>Until it can, Parley works on a copy at {path}; what you write now is kept only there.</source>
        <translation>在可以写入之前，Parley 使用位于 {path} 的副本；您现在写下的内容只保存在那里。</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="102"/>
        <source>Remove {name}</source>
        <translation>移除 {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="103"/>
        <source>Do not attach this file</source>
        <translation>不附加此文件</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="67"/>
        <source>1 page</source>
        <translation>1 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="68"/>
        <source>{count} pages</source>
        <translation>{count} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="75"/>
        <source>read whole</source>
        <translation>已完整读取</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="76"/>
        <source>{used} of {total} passages used</source>
        <translation>使用了 {total} 段中的 {used} 段</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/common/banner.py" line="39"/>
        <location filename="../../app/ui/common/banner.py" line="40"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Catalog</name>
    <message>
        <location filename="../../app/ui/common/i18n.py" line="88"/>
        <source>SmolLM2 135M (starter, offline)</source>
        <translation>SmolLM2 135M（入门，离线）</translation>
    </message>
</context>
<context>
    <name>CategoryPages</name>
    <message>
        <location filename="../../app/ui/settings/categories.py" line="55"/>
        <source>Settings categories</source>
        <translation>设置类别</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../app/ui/controllers/chat_controller.py" line="374"/>
        <source>The answer that could not be saved is saved now.</source>
        <translation>之前无法保存的回答现在已保存。</translation>
    </message>
</context>
<context>
    <name>ChatHeader</name>
    <message>
        <location filename="../../app/ui/chat/header.py" line="53"/>
        <source>Thinking: model&apos;s default</source>
        <translation>思考：模型默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="54"/>
        <source>Thinking: on</source>
        <translation>思考：开</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="55"/>
        <source>Thinking: off</source>
        <translation>思考：关</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="56"/>
        <source>Whether this model reasons before it answers, in this conversation</source>
        <translation>在此对话中，模型是否先推理再回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="57"/>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="76"/>
        <source>The persona this conversation talks to; a change applies from the next answer</source>
        <translation>这段对话所用的角色；更改从下一条回答起生效</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="78"/>
        <source>Persona</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="82"/>
        <source>The language the persona translates into</source>
        <translation>该角色翻译成的语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="83"/>
        <source>Target language</source>
        <translation>目标语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/header.py" line="117"/>
        <source>This conversation leaves this computer: it is sent to {host}.</source>
        <translation>此对话会离开这台电脑：它会发送到 {host}。</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="206"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="207"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="211"/>
        <source>writing…</source>
        <translation>正在输入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="212"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="213"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="214"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="149"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="168"/>
        <source>The answer was cut off while the model was still thinking. Continue lets it think on.</source>
        <translation>回答在模型仍在思考时被截断。点“继续”可让它接着思考。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="174"/>
        <source>No answer was written.</source>
        <translation>没有写出回答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="46"/>
        <source>Show the previous version</source>
        <translation>显示上一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="50"/>
        <source>Show the next version</source>
        <translation>显示下一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="53"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="61"/>
        <source>Not available: an answer that follows a JSON Schema would break; regenerate it.</source>
        <translation>不可用：遵循 JSON Schema 的回答会被破坏；请重新生成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="67"/>
        <source>Read the answer aloud (click Stop reading to end it)</source>
        <translation>朗读这条回答（点击“停止朗读”结束）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="68"/>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="71"/>
        <source>Show the answer as it was written</source>
        <translation>按原样显示回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="72"/>
        <source>Hide look inside</source>
        <translation>收起内部视图</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="74"/>
        <location filename="../../app/ui/chat/message_links.py" line="77"/>
        <source>Look inside</source>
        <translation>查看内部</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="76"/>
        <source>Show how sure the model was of each word, and what else it considered</source>
        <translation>显示模型对每个词有多大把握，以及它还考虑过哪些词</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="52"/>
        <source>Edit and send again as a new version</source>
        <translation>编辑后作为新版本重新发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="55"/>
        <source>Write a new version of this answer</source>
        <translation>为这个回答写一个新版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="56"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="389"/>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="391"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="464"/>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="466"/>
        <source>Copy message as Markdown</source>
        <translation>复制消息的 Markdown 原文</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="524"/>
        <source>Continue from this word</source>
        <translation>从这个词接着写</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="58"/>
        <location filename="../../app/ui/chat/blocks.py" line="148"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/view.py" line="57"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="57"/>
        <source>Copy the message&apos;s Markdown source</source>
        <translation>复制这条消息的 Markdown 源文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="64"/>
        <source>Go on from where the answer ended</source>
        <translation>从回答中断的地方继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="62"/>
        <location filename="../../app/ui/chat/message_links.py" line="65"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="183"/>
        <source>Hide thinking</source>
        <translation>收起思考过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="185"/>
        <source>Thinking…</source>
        <translation>正在思考…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/blocks.py" line="187"/>
        <source>Show thinking</source>
        <translation>显示思考过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_links.py" line="100"/>
        <source>What the model thought before it answered</source>
        <translation>模型在回答之前的思考</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="53"/>
        <source>low confidence</source>
        <translation>低置信度</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="59"/>
        <source>The model also considered:</source>
        <translation>模型还考虑过：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="85"/>
        <source>Not available: this answer was written without asking the server for token probabilities (Settings → Remote servers can ask for them).</source>
        <translation>不可用：写这个回答时没有向服务器要词元概率（可在“设置 → 远程服务器”中让它提供）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="91"/>
        <source>Not available: the server refused to send token probabilities, so the answer was written again without them.</source>
        <translation>不可用：服务器拒绝发送词元概率，所以回答是不带概率重新写的。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="95"/>
        <source>Not available: the token probabilities the server sent do not match this answer&apos;s text.</source>
        <translation>不可用：服务器发来的词元概率与这个回答的文字对不上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="99"/>
        <source>Not available: the server sent no token probabilities with this answer.</source>
        <translation>不可用：服务器没有随这个回答发送词元概率。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="109"/>
        <source>The server sent the other words without their bytes: no branch starts here.</source>
        <translation>服务器发来的其他候选词没有附带字节：无法从这里分支。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="114"/>
        <source>Click or press Enter to continue from here with another word.</source>
        <translation>点击或按回车，从这里换一个词继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="116"/>
        <source>The server is asked to go on from the words kept.</source>
        <translation>会请服务器从保留的词接着写。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="126"/>
        <source>The model was {overall} sure per word on average; {low} of {count} words below {limit}.</source>
        <translation>模型对每个词的平均把握为 {overall}；{count} 个词中有 {low} 个低于 {limit}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="133"/>
        <source>The figures are the ones the server sent with the answer.</source>
        <translation>这些数字是服务器随回答发来的。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="137"/>
        <source>It hesitated most at {spots}.</source>
        <translation>它在 {spots} 处最犹豫。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="177"/>
        <source>While thinking, the model was {overall} sure per word on average.</source>
        <translation>思考时，模型对每个词的平均把握为 {overall}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/inside_render.py" line="246"/>
        <source>Continue from here with {word} ({share})</source>
        <translation>从这里改用 {word}（{share}）继续</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="107"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="245"/>
        <source>Message Parley (Enter sends, Shift+Enter starts a new line)</source>
        <translation>给 Parley 发消息（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="113"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="115"/>
        <source>Send the message (Enter)</source>
        <translation>发送消息（Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="116"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="118"/>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="125"/>
        <location filename="../../app/ui/chat/composer.py" line="229"/>
        <source>Attach files</source>
        <translation>附加文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="133"/>
        <source>Stop reading</source>
        <translation>停止朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="135"/>
        <source>Stop reading the answer aloud (Esc)</source>
        <translation>停止朗读回答（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="252"/>
        <source>Attach files to the message ({keys})</source>
        <translation>为消息附加文件（{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="227"/>
        <source>Documents ({patterns})</source>
        <translation>文档（{patterns}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="228"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ContextMeter</name>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="65"/>
        <source>Context: %1%2 of %3 tokens</source>
        <translation>上下文：%1%2 / %3 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="70"/>
        <source>(+%1 for the answer)</source>
        <translation>（另有 %1 留给回答）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="71"/>
        <source>The model reads %1 tokens at a time: %2 for the conversation and %3 kept for the answer.</source>
        <translation>模型一次读取 %1 个词元：%2 用于对话，%3 留给回答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="75"/>
        <source>too long</source>
        <translation>过长</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="80"/>
        <source>1 turn out of memory</source>
        <translation>1 轮已超出记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="82"/>
        <source>%1 turns out of memory</source>
        <translation>%1 轮已超出记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/context_meter.py" line="83"/>
        <source>The oldest turns are left out of what the model reads.</source>
        <translation>最早的几轮对话不再交给模型读取。</translation>
    </message>
</context>
<context>
    <name>ConversationButton</name>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="99"/>
        <source>Listening… say your message, then pause. Esc ends conversation mode.</source>
        <translation>正在听… 说出你的消息，然后停顿一下。按 Esc 结束对话模式。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="100"/>
        <source>Writing down what you said…</source>
        <translation>正在写下你说的话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="101"/>
        <source>The answer is being written; speak to interrupt it.</source>
        <translation>正在生成回答；说话即可打断。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="102"/>
        <source>Reading the answer aloud; speak to interrupt it.</source>
        <translation>正在朗读回答；说话即可打断。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="113"/>
        <source>Conversation mode</source>
        <translation>对话模式</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="115"/>
        <source>Conversation mode: talk, hear the answer, talk again ({keys})</source>
        <translation>对话模式：说话，听回答，再说话（{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="116"/>
        <source>Conversation mode is on: listening (click or Esc to end it; {keys})</source>
        <translation>对话模式已开启：正在听（点击或按 Esc 结束；{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="119"/>
        <source>Conversation mode is on: writing down what you said</source>
        <translation>对话模式已开启：正在写下你说的话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="120"/>
        <source>Conversation mode is on: the answer is being written (click or Esc to end it)</source>
        <translation>对话模式已开启：正在生成回答（点击或按 Esc 结束）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="121"/>
        <source>Conversation mode is on: reading the answer aloud (click or Esc to end it)</source>
        <translation>对话模式已开启：正在朗读回答（点击或按 Esc 结束）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/conversation_button.py" line="122"/>
        <source>Conversation mode is not available.</source>
        <translation>对话模式不可用。</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="114"/>
        <source>Parley hit a bug</source>
        <translation>Parley 遇到了程序错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="121"/>
        <source>Something inside Parley went wrong that should not have. Your conversations are saved.</source>
        <translation>Parley 内部发生了不应出现的错误。您的对话均已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="127"/>
        <source>This report was saved on this computer as {path}. Nothing was sent anywhere; it holds no conversation text. Please include it in a bug report.</source>
        <translation>此报告已保存在这台电脑上：{path}。没有发送到任何地方，其中也不含任何对话内容。报告问题时请附上它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="131"/>
        <source>The report could not be saved; you can still copy it. Nothing was sent anywhere.</source>
        <translation>报告未能保存，但您仍可以复制它。没有发送到任何地方。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="143"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="144"/>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/crash.py" line="163"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>DataTab</name>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="46"/>
        <source>Your conversations are kept in:</source>
        <translation>您的对话保存在：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="52"/>
        <source>Show folder</source>
        <translation>显示文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="55"/>
        <location filename="../../app/ui/settings/data_tab.py" line="68"/>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="59"/>
        <source>Parley copies the history once a day, before an upgrade and before a restore, and keeps the newest few of each. A restore takes effect at once, and the history it replaces is kept as a backup too.</source>
        <translation>Parley 每天、升级前和恢复前各备份一次历史记录，每类保留最新的几份。恢复立即生效，被替换的历史记录也会保存为备份。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="71"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="71"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="71"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="76"/>
        <source>There are no backups yet.</source>
        <translation>还没有备份。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="78"/>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="79"/>
        <source>Replace the history with the selected backup</source>
        <translation>用所选备份替换历史记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="90"/>
        <source>Export all…</source>
        <translation>全部导出…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="91"/>
        <source>Write every conversation, every version, to one JSON file</source>
        <translation>将所有对话（含每个版本）写入一个 JSON 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="92"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="94"/>
        <source>Add the conversations of a Parley export or of ChatGPT&apos;s conversations.json</source>
        <translation>添加 Parley 导出文件或 ChatGPT 的 conversations.json 中的对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="128"/>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="130"/>
        <source>Replace your history with the backup from {date}? Conversations written since then are kept in a backup of the current history, which Parley makes first.</source>
        <translation>用 {date} 的备份替换您的历史记录吗？此后写下的对话会保存在 Parley 先为当前历史记录制作的备份中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="146"/>
        <source>Daily</source>
        <translation>每日</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="147"/>
        <source>Before an upgrade</source>
        <translation>升级前</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="148"/>
        <source>Before a restore</source>
        <translation>恢复前</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="160"/>
        <source>The backups cannot be listed: {reason}</source>
        <translation>无法列出备份：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/data_tab.py" line="250"/>
        <source>No file manager could be opened. The folder is {path}</source>
        <translation>无法打开文件管理器。文件夹位于 {path}</translation>
    </message>
</context>
<context>
    <name>DocumentsTab</name>
    <message>
        <location filename="../../app/ui/shell/settings_opening.py" line="46"/>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="40"/>
        <source>working out the time left</source>
        <translation>正在估算剩余时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="42"/>
        <source>less than a minute left</source>
        <translation>剩余不到一分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="43"/>
        <source>about {minutes} min left</source>
        <translation>约剩 {minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="50"/>
        <source>Indexing {folder}: {done} of {total} files, {pages} pages</source>
        <translation>正在索引 {folder}：{done}/{total} 个文件，{pages} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="54"/>
        <source>paused while an answer is written</source>
        <translation>正在写回答，已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="61"/>
        <source>indexing</source>
        <translation>正在索引</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="62"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="63"/>
        <source>searched by words (no embedding model)</source>
        <translation>按词语搜索（无嵌入模型）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="64"/>
        <source>folder not found</source>
        <translation>找不到文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="66"/>
        <source>{files} files, {pages} pages</source>
        <translation>{files} 个文件，{pages} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="88"/>
        <source>Your folders are read and searched on this computer; no document, passage or vector leaves it. A remote model gets only the passages that go into its question.</source>
        <translation>你的文件夹只在这台电脑上读取和搜索；任何文档、段落或向量都不会离开它。远程模型只会收到放入提问的段落。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="95"/>
        <location filename="../../app/ui/settings/documents_tab.py" line="98"/>
        <source>Library folders</source>
        <translation>资料库文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="100"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="101"/>
        <source>Add a folder whose documents answers may use</source>
        <translation>添加一个文件夹，回答可以使用其中的文档</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="102"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="103"/>
        <source>Remove the folder and everything indexed from it (not its files)</source>
        <translation>移除该文件夹及其全部索引（不删除文件本身）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="104"/>
        <source>Index again</source>
        <translation>重新索引</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="105"/>
        <source>Read every file of the folder again</source>
        <translation>重新读取该文件夹中的每个文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="107"/>
        <source>Indexing progress</source>
        <translation>索引进度</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="115"/>
        <location filename="../../app/ui/settings/documents_tab.py" line="118"/>
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="119"/>
        <source>The model that finds passages by meaning, in any language</source>
        <translation>按含义查找段落的模型，适用于任何语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="125"/>
        <source>Download the recommended embedding model; it is used once ready</source>
        <translation>下载推荐的嵌入模型；下载完成后即会使用</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="130"/>
        <source>Download ({size})</source>
        <translation>下载（{size}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="132"/>
        <source>Download {model} ({size})</source>
        <translation>下载 {model}（{size}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="211"/>
        <source>No embedding model is installed: the library is searched by words only, and attached files that fit are still read whole. Download {model} to find passages by meaning, in any language.</source>
        <translation>尚未安装嵌入模型：文档库只按字词搜索，放得下的附件仍会整篇读取。下载 {model} 即可按语义查找段落，支持任何语言。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="221"/>
        <source>{model} is downloading (see the sidebar); the library uses it as soon as it is ready.</source>
        <translation>{model} 正在下载（见侧边栏）；下载完成后文档库会立即使用它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="176"/>
        <source>Add a library folder</source>
        <translation>添加资料库文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="191"/>
        <source>No folders yet: add one, and answers can use what is in it.</source>
        <translation>还没有文件夹：添加一个后，回答就能使用其中的内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="197"/>
        <source>None: search by words only</source>
        <translation>无：仅按词语搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="206"/>
        <source>Passages are found by meaning as well as by words.</source>
        <translation>按含义和词语一起查找段落。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="273"/>
        <source>Looking for documents…</source>
        <translation>正在查找文档…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/documents_tab.py" line="275"/>
        <source>Every folder is up to date.</source>
        <translation>所有文件夹都已是最新。</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="24"/>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="27"/>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="28"/>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="56"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="57"/>
        <source>Stop and delete what was downloaded</source>
        <translation>停止下载，并删除已下载的部分</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="78"/>
        <source>From {endpoint}</source>
        <translation>来源：{endpoint}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="85"/>
        <source>{done} of {total}</source>
        <translation>{done} / {total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="89"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="92"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="92"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="94"/>
        <source>Pause; the download resumes where it stopped</source>
        <translation>暂停；之后会从中断处继续下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="94"/>
        <source>Continue the download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="101"/>
        <source>Checking the download…</source>
        <translation>正在校验下载的文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="104"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="105"/>
        <source>{speed}/s</source>
        <translation>{speed}/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="108"/>
        <source>{speed} · {time} left</source>
        <translation>{speed} · 剩余 {time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="110"/>
        <source>Pausing…</source>
        <translation>正在暂停…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="112"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="114"/>
        <source>Interrupted; resume to continue</source>
        <translation>已中断，点“继续”可接着下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="115"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
</context>
<context>
    <name>DownloadsPanel</name>
    <message>
        <location filename="../../app/ui/sidebar/download_panel.py" line="144"/>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
</context>
<context>
    <name>ExchangeController</name>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="50"/>
        <source>Export as Markdown</source>
        <translation>导出为 Markdown</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="50"/>
        <source>Export as JSON</source>
        <translation>导出为 JSON</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="51"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="51"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="59"/>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="69"/>
        <source>Import conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="61"/>
        <source>Conversation exports (*.json);;All files (*)</source>
        <translation>对话导出文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="71"/>
        <source>{present} of the {total} conversations in this file are already here.</source>
        <translation>此文件的 {total} 个对话中有 {present} 个已经存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="75"/>
        <source>Skip them, or import them again as copies?</source>
        <translation>跳过它们，还是作为副本再次导入？</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="76"/>
        <source>Skip them</source>
        <translation>跳过</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="77"/>
        <source>Import as copies</source>
        <translation>作为副本导入</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="100"/>
        <source>“{title}” was exported to {path}.</source>
        <translation>已将“{title}”导出到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="110"/>
        <source>Conversations exported: {count}, to {path}.</source>
        <translation>已导出对话：{count} 个，保存到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="131"/>
        <source>Conversations imported: {count}.</source>
        <translation>已导入对话：{count} 个。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/exchange_controller.py" line="133"/>
        <source>Already here, so skipped: {count}.</source>
        <translation>已存在而跳过：{count} 个。</translation>
    </message>
</context>
<context>
    <name>FindModelsPage</name>
    <message>
        <location filename="../../app/ui/models/find.py" line="38"/>
        <source>{name} ({count} parts)</source>
        <translation>{name}（{count} 个分卷）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="73"/>
        <location filename="../../app/ui/models/find.py" line="220"/>
        <source>Type a model&apos;s name, such as “qwen” or “llama”.</source>
        <translation>输入模型名称，例如“qwen”或“llama”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="78"/>
        <source>Get models</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="80"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="88"/>
        <source>Search the Hub</source>
        <translation>在 Hub 中搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="89"/>
        <source>Search the Hugging Face Hub for GGUF models</source>
        <translation>在 Hugging Face Hub 上搜索 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="99"/>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="102"/>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="102"/>
        <source>Downloads</source>
        <translation>下载量</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="102"/>
        <source>Likes</source>
        <translation>点赞</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="119"/>
        <source>Files in the repository</source>
        <translation>仓库中的文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="123"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="123"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="123"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="123"/>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="144"/>
        <source>Recommended models</source>
        <translation>推荐模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="224"/>
        <source>Searching the Hub for “{query}”…</source>
        <translation>正在 Hub 上搜索“{query}”…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="239"/>
        <source>Listing the files of {repo}…</source>
        <translation>正在列出 {repo} 中的文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="282"/>
        <source> (gated)</source>
        <translation>（需授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="284"/>
        <source>{repo} — needs a newer Parley</source>
        <translation>{repo} — 需要更新版本的 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="293"/>
        <source>GGUF repositories for “{query}”: {count}</source>
        <translation>与“{query}”相关的 GGUF 仓库：{count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="297"/>
        <source>No GGUF models match “{query}”. Try a shorter name (such as “qwen”), or clear the search to see the recommended models.</source>
        <translation>没有与“{query}”匹配的 GGUF 模型。试试更短的名称（例如“qwen”），或清空搜索框查看推荐模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="304"/>
        <source>The search did not work.</source>
        <translation>搜索没有成功。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="327"/>
        <source>Select a repository to see its models</source>
        <translation>选择一个仓库，查看其中的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="340"/>
        <source>This repository has no GGUF model files.</source>
        <translation>这个仓库中没有 GGUF 模型文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="343"/>
        <source>Not offered, because parts are missing from the repository: {files}</source>
        <translation>以下模型在仓库中缺少分卷文件，因此无法下载：{files}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="360"/>
        <location filename="../../app/ui/models/find.py" line="406"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="363"/>
        <source>Download {file} from {repo}</source>
        <translation>从 {repo} 下载 {file}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="393"/>
        <source>Needs a newer Parley</source>
        <translation>需要更新版本的 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="42"/>
        <location filename="../../app/ui/models/find.py" line="397"/>
        <source>Downloading… {percent}%</source>
        <translation>正在下载… {percent}%</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/find.py" line="400"/>
        <source>Resume</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="43"/>
        <location filename="../../app/ui/models/find.py" line="403"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
</context>
<context>
    <name>FitBadge</name>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="14"/>
        <source>Fits</source>
        <translation>运行流畅</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="16"/>
        <source>May be slow</source>
        <translation>可能较慢</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="17"/>
        <source>Won&apos;t fit</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="44"/>
        <source>Needs about {needed} of memory with a {context}-token context: {weights} for the model and {cache} for its context cache. {free} of memory is free now.</source>
        <translation>在 {context} 个词元的上下文下约需 {needed} 内存：模型本身 {weights}，上下文缓存 {cache}。当前可用内存为 {free}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="54"/>
        <source>{vram} of graphics memory is free.</source>
        <translation>可用显存为 {vram}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="58"/>
        <source>That includes {draft} for its draft model, which speeds answers up.</source>
        <translation>其中包括草稿模型所需的 {draft}，它能加快回答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/fit_badge.py" line="62"/>
        <source>The context cache is guessed from the download size.</source>
        <translation>上下文缓存的大小是根据下载大小估算的。</translation>
    </message>
</context>
<context>
    <name>GpuText</name>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="40"/>
        <source>CPU-only build: to use your NVIDIA GPU, run `make {target}`.</source>
        <translation>仅 CPU 版本：要使用您的 NVIDIA GPU，请运行 `make {target}`。</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="42"/>
        <source>CPU-only build: to use your Mac&apos;s GPU, run `make {target}`.</source>
        <translation>仅 CPU 版本：要使用 Mac 的 GPU，请运行 `make {target}`。</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="44"/>
        <source>CPU-only build, and no GPU was found (for a Vulkan GPU, run `make {target}`).</source>
        <translation>仅 CPU 版本，且没有找到 GPU（如有 Vulkan GPU，请运行 `make {target}`）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="48"/>
        <source>{backends} build, but llama.cpp found no GPU: models run on the CPU.</source>
        <translation>{backends} 版本，但 llama.cpp 没有找到 GPU：模型在 CPU 上运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="52"/>
        <source>{device} ({free} GB free)</source>
        <translation>{device}（空闲 {free} GB）</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="57"/>
        <source>{backends} build: {devices}.</source>
        <translation>{backends} 版本：{devices}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="64"/>
        <source>{on}/{total} layers on GPU · {vram} GB VRAM</source>
        <translation>GPU 上 {on}/{total} 层 · 显存 {vram} GB</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="68"/>
        <source>running on CPU: out of GPU memory at {layers} layers</source>
        <translation>在 CPU 上运行：放入 {layers} 层时显存不足</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="72"/>
        <source>running on CPU</source>
        <translation>在 CPU 上运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="74"/>
        <source>running on CPU (CPU-only build)</source>
        <translation>在 CPU 上运行（仅 CPU 版本）</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/gpu_text.py" line="76"/>
        <source>(context {ctx} after {count} tries ran out of memory)</source>
        <translation>（{count} 次尝试内存不足后，上下文为 {ctx}）</translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <location filename="../../app/core/history/recovery_notice.py" line="15"/>
        <source>Your history was damaged, so Parley restored the backup from {date}.</source>
        <translation>您的历史记录已损坏，Parley 已恢复 {date} 的备份。</translation>
    </message>
    <message>
        <location filename="../../app/core/history/recovery_notice.py" line="16"/>
        <source>Your history was damaged and there was no backup to restore, so Parley started a new one.</source>
        <translation>您的历史记录已损坏且没有可恢复的备份，Parley 已新建一份历史记录。</translation>
    </message>
    <message>
        <location filename="../../app/core/history/recovery_notice.py" line="19"/>
        <source>It read back from the damaged file: {messages} messages in {conversations} conversations.</source>
        <translation>从损坏的文件中读回了：{conversations} 个对话中的 {messages} 条消息。</translation>
    </message>
    <message>
        <location filename="../../app/core/history/recovery_notice.py" line="22"/>
        <source>Nothing more could be read from the damaged file.</source>
        <translation>无法从损坏的文件中读取更多内容。</translation>
    </message>
    <message>
        <location filename="../../app/core/history/recovery_notice.py" line="23"/>
        <source>The damaged file is kept, unchanged, at {path}.</source>
        <translation>损坏的文件已原样保留在 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/backup_controller.py" line="133"/>
        <source>The history from the backup of {date} is back. What it replaced is kept as a backup from {now}.</source>
        <translation>已恢复 {date} 备份中的历史记录。被替换的内容已保存为 {now} 的备份。</translation>
    </message>
</context>
<context>
    <name>KeyPlace</name>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="216"/>
        <source>API keys are kept in the system keychain: {name}.</source>
        <translation>API 密钥保存在系统钥匙串中：{name}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="219"/>
        <source>No system keychain is available, so API keys are kept in Parley&apos;s own file {path}, readable only by you.</source>
        <translation>没有可用的系统钥匙串，因此 API 密钥保存在 Parley 自己的文件 {path} 中，只有你能读取。</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="50"/>
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
</context>
<context>
    <name>LibrarySwitch</name>
    <message>
        <location filename="../../app/ui/chat/library_switch.py" line="26"/>
        <location filename="../../app/ui/chat/library_switch.py" line="27"/>
        <source>Use my library</source>
        <translation>使用我的资料库</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/library_switch.py" line="57"/>
        <source>All folders</source>
        <translation>所有文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/library_switch.py" line="72"/>
        <source>Add folders in Settings → Documents; then questions here can use them</source>
        <translation>在“设置 → 文档”中添加文件夹后，这里的提问即可使用它们</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/library_switch.py" line="74"/>
        <source>Questions in this conversation search every library folder</source>
        <translation>此对话中的提问会搜索资料库的所有文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/library_switch.py" line="77"/>
        <source>Questions in this conversation search: {folders}</source>
        <translation>此对话中的提问会搜索：{folders}</translation>
    </message>
</context>
<context>
    <name>LoadingIndicator</name>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="137"/>
        <source>Loading {model}…</source>
        <translation>正在加载 {model}…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="147"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="147"/>
        <source>The installed models: import, delete, choose</source>
        <translation>已安装的模型：导入、删除、选择</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="149"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="149"/>
        <source>Settings (Ctrl+,)</source>
        <translation>设置（Ctrl+,）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="143"/>
        <source>Get models</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="144"/>
        <source>The recommended models, and a search of the Hugging Face Hub for more</source>
        <translation>推荐的模型，以及在 Hugging Face Hub 上搜索更多模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="383"/>
        <source>Parley must close</source>
        <translation>Parley 必须关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="49"/>
        <source>No model is installed</source>
        <translation>尚未安装模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="79"/>
        <source>{model} · {speed} tokens/s · first token {ttft} s</source>
        <translation>{model} · 每秒 {speed} 个词元 · 首个词元 {ttft} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="86"/>
        <source> · speculative {speedup}×</source>
        <translation> · 推测解码 {speedup}×</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/download_notices.py" line="84"/>
        <source>{model} is downloaded. Choose it in the model menu to chat with it.</source>
        <translation>{model} 已下载完成。在模型菜单中选择它即可开始对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/download_notices.py" line="87"/>
        <source>Chat now</source>
        <translation>立即聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/download_notices.py" line="98"/>
        <source>{model} is downloaded: your documents are now searched by meaning as well.</source>
        <translation>{model} 已下载：现在也会按语义搜索你的文档。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="93"/>
        <source>Answer ready: {sentence}</source>
        <translation>回答已完成：{sentence}</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="61"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_line.py" line="61"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_choice.py" line="227"/>
        <source>Use {model}</source>
        <translation>改用 {model}</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_choice.py" line="253"/>
        <source>{model} is no longer on this computer, and no other model is installed.</source>
        <translation>{model} 已不在这台电脑上，且没有安装其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_choice.py" line="255"/>
        <source>{model} is no longer on this computer; this conversation now uses {other}.</source>
        <translation>{model} 已不在这台电脑上；此对话现在使用 {other}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/turn_view.py" line="80"/>
        <source>Send passages to the server?</source>
        <translation>要把段落发送到服务器吗？</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/turn_view.py" line="81"/>
        <source>This conversation&apos;s model runs on a remote server: the passages of your files that go into the question are sent to it. Nothing else leaves this computer.</source>
        <translation>此对话的模型运行在远程服务器上：放入提问的文件段落会发送给它。其他内容都不会离开这台电脑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/turn_view.py" line="143"/>
        <source>Editing your message: sending it makes a new version, and the earlier one stays (‹ ›).</source>
        <translation>正在编辑你的消息：发送后会成为新版本，之前的版本会保留（‹ ›）。</translation>
    </message>
</context>
<context>
    <name>MemoryMarks</name>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="55"/>
        <source>Memories used: %1</source>
        <translation>用到的记忆：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="72"/>
        <source>See what was saved</source>
        <translation>查看保存了什么</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="73"/>
        <source>Memory updated</source>
        <translation>记忆已更新</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="78"/>
        <source>Take this memory change back</source>
        <translation>撤销这次记忆更改</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="79"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="92"/>
        <source>Saved:</source>
        <translation>已保存：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="94"/>
        <source>Replaced:</source>
        <translation>已替换：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/memory_marks.py" line="96"/>
        <source>Forgotten:</source>
        <translation>已忘记：</translation>
    </message>
</context>
<context>
    <name>MemoryTab</name>
    <message>
        <location filename="../../app/ui/shell/settings_opening.py" line="48"/>
        <source>Memory</source>
        <translation>记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="37"/>
        <source>Remember facts about me across conversations</source>
        <translation>在不同对话之间记住关于我的事实</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="39"/>
        <source>Memory on</source>
        <translation>记忆开启</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="42"/>
        <source>Parley keeps short facts you state (“I&apos;m vegetarian”) and adds them to later chats. Say “remember that …” or “forget that …” in a chat, or edit them here.</source>
        <translation>Parley 会保存你说过的简短事实（“我吃素”），并在之后的对话中用到。可以在对话中说“记住……”或“忘掉……”，也可以在这里编辑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="50"/>
        <location filename="../../app/ui/settings/memory_tab.py" line="51"/>
        <source>Search memories</source>
        <translation>搜索记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="54"/>
        <source>Memories</source>
        <translation>记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="59"/>
        <source>Nothing remembered yet.</source>
        <translation>还没有记住任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="65"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="66"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="67"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="68"/>
        <source>Delete all…</source>
        <translation>全部删除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="70"/>
        <location filename="../../app/ui/settings/memory_tab.py" line="188"/>
        <source>Add a memory</source>
        <translation>添加一条记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="70"/>
        <location filename="../../app/ui/settings/memory_tab.py" line="198"/>
        <source>Edit the memory</source>
        <translation>编辑这条记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="71"/>
        <source>Delete the chosen memories</source>
        <translation>删除所选记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="72"/>
        <source>Delete every memory</source>
        <translation>删除所有记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="91"/>
        <source>Send memories to %1</source>
        <translation>向 %1 发送记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="93"/>
        <source>Off: chats with this server&apos;s models get no memories</source>
        <translation>关闭时：使用该服务器模型的对话不会得到记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="110"/>
        <source>The fact, in a short sentence:</source>
        <translation>用一句简短的话写下这个事实：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="116"/>
        <source>Delete every memory?</source>
        <translation>删除所有记忆？</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="117"/>
        <source>All %1 memories will be deleted. This cannot be undone.</source>
        <translation>全部 %1 条记忆都将被删除，且无法撤销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="156"/>
        <source>added by you</source>
        <translation>由你添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="158"/>
        <source>from a conversation since deleted</source>
        <translation>来自一次已删除的对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/memory_tab.py" line="160"/>
        <source>from a conversation</source>
        <translation>来自一次对话</translation>
    </message>
</context>
<context>
    <name>MemoryView</name>
    <message>
        <location filename="../../app/ui/shell/memory_view.py" line="51"/>
        <source>Temporary chat</source>
        <translation>临时对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/memory_view.py" line="54"/>
        <source>Temporary chat: not kept in the history, and it neither uses nor changes your memories</source>
        <translation>临时对话：不会保存到历史记录中，既不使用也不更改你的记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/memory_view.py" line="118"/>
        <source>Your memories are not sent to this server. Settings → Memory can allow it.</source>
        <translation>你的记忆不会发送到此服务器。可在“设置 → 记忆”中允许。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/memory_view.py" line="152"/>
        <source>Memory updated</source>
        <translation>记忆已更新</translation>
    </message>
</context>
<context>
    <name>MicrophoneButton</name>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="84"/>
        <source>Dictate</source>
        <translation>听写</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="91"/>
        <source>Transcribing</source>
        <translation>正在转写</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="128"/>
        <source>Dictate: speak, then click again to stop ({keys})</source>
        <translation>听写：说话，然后再点一次停止（{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="129"/>
        <source>Listening… click to stop and write it down ({keys})</source>
        <translation>正在听…点击停止并写下来（{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="130"/>
        <source>Writing down what you said…</source>
        <translation>正在写下您说的话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/voice_button.py" line="131"/>
        <source>Dictation is not available.</source>
        <translation>听写不可用。</translation>
    </message>
</context>
<context>
    <name>MirrorOffer</name>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="54"/>
        <source>Try the mirror {host}: huggingface.co is often out of reach from here.</source>
        <translation>试试镜像 {host}：从这里常常无法访问 huggingface.co。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="57"/>
        <location filename="../../app/ui/models/mirror.py" line="63"/>
        <source>Use {host}</source>
        <translation>使用 {host}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="62"/>
        <source>A public mirror, {host}, may work instead.</source>
        <translation>可以改用公共镜像 {host}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="71"/>
        <source>Checking {host}…</source>
        <translation>正在检查 {host}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="76"/>
        <source>Parley now uses the mirror {endpoint}. Settings → Hugging Face Hub changes it.</source>
        <translation>Parley 现在使用镜像 {endpoint}。可在“设置 → Hugging Face Hub”中更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/mirror.py" line="83"/>
        <source>The mirror {host} cannot be reached either.</source>
        <translation>镜像 {host} 也无法访问。</translation>
    </message>
</context>
<context>
    <name>ModelManager</name>
    <message>
        <location filename="../../app/ui/models/manager.py" line="89"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="92"/>
        <source>The models on this computer. Drop a .gguf file anywhere on the window to import it.</source>
        <translation>这台电脑上的模型。把 .gguf 文件拖放到窗口任意位置即可导入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="112"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="113"/>
        <source>Add a .gguf model file from this computer</source>
        <translation>从这台电脑添加 .gguf 模型文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="115"/>
        <location filename="../../app/ui/models/manager.py" line="428"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="117"/>
        <source>Show models folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="120"/>
        <source>Use for this chat</source>
        <translation>用于当前对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="122"/>
        <source>Set as default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="123"/>
        <source>New conversations start with this model</source>
        <translation>新对话将使用这个模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="125"/>
        <source>Model settings…</source>
        <translation>模型设置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="126"/>
        <source>Context, GPU layers, threads and chat template for this model</source>
        <translation>此模型的上下文、GPU 层数、线程和聊天模板</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="184"/>
        <source>Import GGUF models</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="184"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="201"/>
        <source>Import a model</source>
        <translation>导入模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="202"/>
        <source>How should Parley use {name}?</source>
        <translation>Parley 应如何使用 {name}？</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="205"/>
        <source>A copy in Parley&apos;s models folder keeps working when the original is moved or deleted, and takes {size} more disk space. Used where it lies, the file takes no more space, but Parley loses it if it moves.</source>
        <translation>复制到 Parley 的模型文件夹后，即使原文件被移动或删除也能继续使用，但会多占用 {size} 磁盘空间。在原位置使用则不额外占用空间，但文件一旦被移动，Parley 就找不到它了。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="210"/>
        <source>Copy into the models folder</source>
        <translation>复制到模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="211"/>
        <source>Use where it lies</source>
        <translation>在原位置使用</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="219"/>
        <source>Delete {name}? This frees {size} on the disk and cannot be undone.</source>
        <translation>要删除 {name} 吗？这将释放 {size} 磁盘空间，且无法撤销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="223"/>
        <source>Remove {name} from the list? The file itself stays at {path}.</source>
        <translation>要从列表中移除 {name} 吗？文件本身仍保留在 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="231"/>
        <source>The open conversation uses it, and no other model is installed.</source>
        <translation>当前对话正在使用它，而且没有安装其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="233"/>
        <source>The open conversation uses it; it will use {other} instead.</source>
        <translation>当前对话正在使用它；之后将改用 {other}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="242"/>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="242"/>
        <source>Remove model</source>
        <translation>移除模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="379"/>
        <source>{name} is deleted; {size} freed.</source>
        <translation>已删除 {name}，释放了 {size}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="383"/>
        <source>{name} is no longer listed. The file itself is still at {path}.</source>
        <translation>{name} 已从列表中移除。文件本身仍在 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="309"/>
        <source>Checking {name}…</source>
        <translation>正在检查 {name}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="321"/>
        <source>{name} is already installed.</source>
        <translation>{name} 已经安装。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="337"/>
        <source>Copying {name} into the models folder…</source>
        <translation>正在将 {name} 复制到模型文件夹…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="337"/>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="354"/>
        <source>copied into the models folder</source>
        <translation>已复制到模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="354"/>
        <source>used where it lies</source>
        <translation>在原位置使用</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="355"/>
        <source>{name} is imported ({how}).</source>
        <translation>已导入 {name}（{how}）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="416"/>
        <source>Installed models: {count}, {size} in all.</source>
        <translation>已安装模型：{count} 个，共 {size}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="428"/>
        <source>Remove from list…</source>
        <translation>从列表中移除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="430"/>
        <source>The starter model comes with Parley and cannot be deleted</source>
        <translation>入门模型随 Parley 附带，无法删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/manager.py" line="448"/>
        <source>No file manager could be opened. The models folder is {path}</source>
        <translation>无法打开文件管理器。模型文件夹位于 {path}</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="46"/>
        <source>The model that answers in this conversation</source>
        <translation>在此对话中回答的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="56"/>
        <source>Open a GGUF model file</source>
        <translation>打开 GGUF 模型文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="56"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="71"/>
        <source>On {host}: this conversation leaves this computer</source>
        <translation>位于 {host}：此对话会离开这台电脑</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/model_picker.py" line="77"/>
        <source>Open a GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
</context>
<context>
    <name>ModelSettingsDialog</name>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="57"/>
        <source>Settings for {model}</source>
        <translation>{model} 的设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="62"/>
        <source>Loading</source>
        <translation>加载</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="63"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="195"/>
        <source>Chat template</source>
        <translation>聊天模板</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="65"/>
        <source>These apply the next time the model loads: the next message reloads it.</source>
        <translation>这些设置在模型下次加载时生效：下一条消息会重新加载模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="97"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="111"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="131"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="136"/>
        <source>Global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="106"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="112"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="145"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="113"/>
        <location filename="../../app/ui/models/settings_dialog.py" line="131"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="114"/>
        <source>A number</source>
        <translation>指定层数</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="121"/>
        <source> layers</source>
        <translation> 层</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="122"/>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="131"/>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="139"/>
        <source>Context length:</source>
        <translation>上下文长度：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="140"/>
        <source>GPU layers:</source>
        <translation>GPU 层数：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="141"/>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="142"/>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="143"/>
        <source>Flash attention:</source>
        <translation>Flash Attention：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="144"/>
        <source>KV cache type:</source>
        <translation>KV 缓存类型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="145"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="150"/>
        <source>{name} (not installed)</source>
        <translation>{name}（未安装）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="152"/>
        <source>Draft model</source>
        <translation>草稿模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="155"/>
        <source>A smaller model with the same vocabulary guesses the next tokens and this model checks them all at once. Auto picks an installed one; without one, Parley guesses from the conversation.</source>
        <translation>一个词表相同的较小模型预先猜出接下来的词元，再由本模型一次核对。“自动”会选一个已安装的模型；没有时，Parley 从对话本身猜测。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="163"/>
        <source>Draft model:</source>
        <translation>草稿模型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="166"/>
        <source>Drafting (speculative decoding) needs flash attention, so Global turns it on.</source>
        <translation>起草（推测解码）需要 Flash Attention，因此“全局”会将其开启。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="173"/>
        <source>Global: as in Settings → Model (context {ctx} tokens). q8_0 and q4_0 need flash attention.</source>
        <translation>全局：与“设置 → 模型”相同（上下文 {ctx} 个词元）。q8_0 和 q4_0 需要开启 Flash Attention。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="188"/>
        <source>The model&apos;s own</source>
        <translation>模型自带</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="191"/>
        <source>Custom (Jinja)</source>
        <translation>自定义（Jinja）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="192"/>
        <source>Reset to the model&apos;s own</source>
        <translation>恢复为模型自带</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="199"/>
        <source>Template preview</source>
        <translation>模板预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="209"/>
        <source>Template:</source>
        <translation>模板：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="215"/>
        <source>Preview of a sample conversation:</source>
        <translation>示例对话预览：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="284"/>
        <source>This model has no template of its own: Parley uses ChatML for it.</source>
        <translation>此模型没有自带模板：Parley 为它使用 ChatML。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/settings_dialog.py" line="292"/>
        <source>This template cannot be used: {error}</source>
        <translation>无法使用此模板：{error}</translation>
    </message>
</context>
<context>
    <name>ModelTable</name>
    <message>
        <location filename="../../app/ui/models/table.py" line="75"/>
        <source>Installed models</source>
        <translation>已安装的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="83"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="84"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="85"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="86"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="87"/>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="88"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="89"/>
        <source>Origin</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="158"/>
        <source>This copy is damaged ({reason}). Download it again from Find models: the download fetches only what is missing and checks the whole file.</source>
        <translation>此副本已损坏（{reason}）。请在“查找模型”中重新下载：下载只会获取缺失的部分，并校验整个文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="166"/>
        <source>Name in the file: {name}</source>
        <translation>文件中的名称：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="173"/>
        <source>Built in</source>
        <translation>内置</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="173"/>
        <source>Comes with Parley: {path}</source>
        <translation>随 Parley 附带：{path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="175"/>
        <source>Used where it lies: {path}</source>
        <translation>在原位置使用：{path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="178"/>
        <source>Hub: {repo} @ {revision}</source>
        <translation>Hub：{repo} @ {revision}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="180"/>
        <source>Downloaded from {repo} at revision {revision} ({where}), {when}</source>
        <translation>下载自 {repo}，修订版本 {revision}（{where}），{when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="185"/>
        <source>Imported (copied)</source>
        <translation>已导入（副本）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="185"/>
        <source>Copied from {source} to {path}</source>
        <translation>从 {source} 复制到 {path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="188"/>
        <source>In the models folder</source>
        <translation>位于模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="213"/>
        <source>{name} · default</source>
        <translation>{name} · 默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/table.py" line="215"/>
        <source>{name} · damaged</source>
        <translation>{name} · 已损坏</translation>
    </message>
</context>
<context>
    <name>ModelsController</name>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="299"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="299"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="232"/>
        <source>{model}&apos;s settings are saved: it reloads with them on the next message.</source>
        <translation>{model} 的设置已保存：下一条消息时会用新设置重新加载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="306"/>
        <source>{model} is loaded ({seconds} s) · {where}</source>
        <translation>{model} 已加载（{seconds} 秒）· {where}</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="314"/>
        <source>This Parley can use a GPU ({backends}), but no usable GPU was found, so {model} runs on the CPU. Answers will be slower.</source>
        <translation>此版 Parley 支持 GPU（{backends}），但没有找到可用的 GPU，因此 {model} 在 CPU 上运行，回答会慢一些。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="321"/>
        <source>The chat template of {model} could not be used ({error}), so Parley uses the ChatML format for it. Answers may be off; a model file with a fixed template helps.</source>
        <translation>{model} 的聊天模板无法使用（{error}），因此 Parley 改用 ChatML 格式。回答可能不准确；换一个模板已修复的模型文件会有帮助。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/models_controller.py" line="327"/>
        <source>{model} has no chat template of its own, so Parley uses the ChatML format for it.</source>
        <translation>{model} 没有自带聊天模板，Parley 将为它使用 ChatML 格式。</translation>
    </message>
</context>
<context>
    <name>OverflowOffer</name>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="58"/>
        <source>New conversation with a summary</source>
        <translation>带摘要开始新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="60"/>
        <source>Starts a new conversation with this persona; a short summary of this one goes before your message</source>
        <translation>用同一角色开始新的对话；这段对话的简短摘要会放在你的消息之前</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="62"/>
        <source>Drop the oldest turns here</source>
        <translation>在此丢弃最早的几轮</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="64"/>
        <source>From now on this conversation forgets its oldest turns when it is full; your message is sent</source>
        <translation>从现在起，这段对话满了就会忘掉最早的几轮；你的消息会被发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="70"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>PassageDialog</name>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="26"/>
        <source>Source {number}</source>
        <translation>来源 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="39"/>
        <source>Passage</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="46"/>
        <location filename="../../app/ui/chat/passage_dialog.py" line="48"/>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="50"/>
        <source>Open {name} in the program this computer uses for it</source>
        <translation>用这台电脑上的默认程序打开 {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="52"/>
        <location filename="../../app/ui/chat/passage_dialog.py" line="53"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/passage_dialog.py" line="58"/>
        <source>The file is no longer where it was read from, so it cannot be opened.</source>
        <translation>文件已不在读取时的位置，无法打开。</translation>
    </message>
</context>
<context>
    <name>PersonaController</name>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="98"/>
        <source>Into: auto</source>
        <translation>译成：自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="99"/>
        <source>Into English</source>
        <translation>译成英语</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="100"/>
        <source>Into Chinese</source>
        <translation>译成中文</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="101"/>
        <source>Into French</source>
        <translation>译成法语</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="102"/>
        <source>Into German</source>
        <translation>译成德语</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="103"/>
        <source>Into Spanish</source>
        <translation>译成西班牙语</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="104"/>
        <source>Into Japanese</source>
        <translation>译成日语</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="143"/>
        <source>Personas…</source>
        <translation>角色…</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="143"/>
        <source>Edit the personas</source>
        <translation>编辑角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="145"/>
        <source>Edit personas…</source>
        <translation>编辑角色…</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="255"/>
        <source>New chat with…</source>
        <translation>新对话，使用…</translation>
    </message>
    <message>
        <location filename="../../app/ui/controllers/persona_controller.py" line="379"/>
        <source>A summary of our earlier conversation:</source>
        <translation>我们之前对话的摘要：</translation>
    </message>
</context>
<context>
    <name>PersonaEditor</name>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="60"/>
        <source>Export personas</source>
        <translation>导出角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="60"/>
        <source>Import personas</source>
        <translation>导入角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="77"/>
        <location filename="../../app/ui/personas/editor.py" line="81"/>
        <source>Personas</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="101"/>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="103"/>
        <source>separated by |</source>
        <translation>用 | 分隔</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="105"/>
        <source>the conversation&apos;s model</source>
        <translation>对话所用的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="108"/>
        <source>from Settings</source>
        <translation>按设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="110"/>
        <source>From Settings</source>
        <translation>按设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="110"/>
        <source>Drop the oldest turns</source>
        <translation>丢弃最早的几轮</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="110"/>
        <source>Stop and ask</source>
        <translation>停下并询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="114"/>
        <source>from the text</source>
        <translation>根据文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="126"/>
        <source>Add “About you” to every persona</source>
        <translation>把“关于你”加入每个角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="128"/>
        <source>e.g. I am a nurse in Shanghai; answer in simple English.</source>
        <translation>例如：我是上海的一名护士；请用简单的英语回答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="85"/>
        <location filename="../../app/ui/personas/editor.py" line="163"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="87"/>
        <source>Icon</source>
        <translation>图标</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="115"/>
        <source>This persona uses “About you”</source>
        <translation>此角色使用“关于你”</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="117"/>
        <source>Off for a persona that translates or rewrites your text: About you would leak into it</source>
        <translation>翻译或改写你文字的角色应关闭：否则“关于你”会混进结果里</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="119"/>
        <location filename="../../app/ui/personas/editor.py" line="120"/>
        <source>Look inside every answer</source>
        <translation>查看每个回答的内部</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="122"/>
        <source>Once an answer is written, shade each word by how sure the model was; a remote server is asked for its token probabilities</source>
        <translation>回答写完后，按模型的把握程度给每个词加底色；远程服务器会被要求提供词元概率</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="130"/>
        <source>About you</source>
        <translation>关于你</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="164"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="165"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="168"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="168"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="168"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="169"/>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="169"/>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="170"/>
        <source>Longest answer</source>
        <translation>最长回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="170"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="171"/>
        <source>Stop strings</source>
        <translation>停止字符串</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="171"/>
        <source>Preferred model</source>
        <translation>首选模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="172"/>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="172"/>
        <source>When the context is full</source>
        <translation>上下文满了时</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="173"/>
        <source>Target language</source>
        <translation>目标语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="190"/>
        <location filename="../../app/ui/personas/editor.py" line="192"/>
        <source>What the model gets</source>
        <translation>模型实际收到的内容</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="193"/>
        <source>JSON Schema of the answers</source>
        <translation>回答的 JSON Schema</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="198"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="198"/>
        <source>Duplicate</source>
        <translation>创建副本</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="199"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="199"/>
        <source>Reset</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="200"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="205"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="207"/>
        <source>This persona…</source>
        <translation>这个角色…</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="208"/>
        <source>All personas…</source>
        <translation>所有角色…</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="214"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="275"/>
        <source>The seed must be a whole number; it was left random.</source>
        <translation>随机种子必须是整数；已保持随机。</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="337"/>
        <source>New persona</source>
        <translation>新角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/editor.py" line="343"/>
        <source>copy</source>
        <translation>副本</translation>
    </message>
</context>
<context>
    <name>PersonaMarks</name>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="21"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="22"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="23"/>
        <source>longest answer reached</source>
        <translation>已达最长回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="24"/>
        <source>context full</source>
        <translation>上下文已满</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="25"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="26"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="33"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="39"/>
        <source>%n tokens</source>
        <translation>%n 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="43"/>
        <source>%1 tokens/s</source>
        <translation>每秒 %1 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="49"/>
        <source>first token %1 s</source>
        <translation>首个词元 %1 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="64"/>
        <source>speculative: %1 % of %2 drafted tokens accepted</source>
        <translation>推测解码：%2 个草稿词元中 %1 % 被接受</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="69"/>
        <source>, %1×</source>
        <translation>，%1×</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="71"/>
        <source> (slower than plain decoding: drafting is off for the next answers)</source>
        <translation>（比普通解码慢：接下来的几次回答不再起草）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="73"/>
        <source> (slower than plain decoding: drafting is turned down to %1 tokens)</source>
        <translation>（比普通解码慢：草稿长度已降为 %1 个词元）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="104"/>
        <source>The model&apos;s memory begins here; earlier turns are out of it</source>
        <translation>模型的记忆从这里开始；更早的几轮已超出记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/persona_marks.py" line="110"/>
        <source>Persona: %1</source>
        <translation>角色：%1</translation>
    </message>
</context>
<context>
    <name>ProjectDialog</name>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="38"/>
        <source>Edit project</source>
        <translation>编辑项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="38"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="41"/>
        <source>Project name</source>
        <translation>项目名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="42"/>
        <source>e.g. Garden plans</source>
        <translation>例如：花园计划</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="44"/>
        <source>Instructions</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="45"/>
        <source>Added after the persona&apos;s instructions in every chat here</source>
        <translation>加在此项目每个对话的角色说明之后</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="48"/>
        <source>Default persona</source>
        <translation>默认角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="49"/>
        <source>The default persona</source>
        <translation>默认角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="54"/>
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="55"/>
        <source>The persona&apos;s or the default model</source>
        <translation>角色的模型或默认模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="63"/>
        <source>Library folders</source>
        <translation>资料库文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="75"/>
        <source>New chats here use my library with the folders ticked.</source>
        <translation>此处的新对话会使用资料库中勾选的文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="77"/>
        <source>Add folders in Settings → Documents to give this project files.</source>
        <translation>在“设置 → 文档”中添加文件夹，即可为此项目提供文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="83"/>
        <source>Save project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="85"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="88"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="89"/>
        <source>Instructions:</source>
        <translation>说明：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="90"/>
        <source>Default persona:</source>
        <translation>默认角色：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="91"/>
        <source>Default model:</source>
        <translation>默认模型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="93"/>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="97"/>
        <source>Library folders:</source>
        <translation>资料库文件夹：</translation>
    </message>
</context>
<context>
    <name>RecommendedCard</name>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="32"/>
        <source>{amount} context</source>
        <translation>{amount} 上下文</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="90"/>
        <source>An estimate: this computer&apos;s measured speed, scaled by how much of the model each word reads.</source>
        <translation>估计值：按本机实测的速度，再按模型每生成一个词要读取的数据量换算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="108"/>
        <source>Download {file} from {repo}</source>
        <translation>从 {repo} 下载 {file}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="39"/>
        <location filename="../../app/ui/models/recommended_list.py" line="210"/>
        <source>Downloading… {percent}%</source>
        <translation>正在下载… {percent}%</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="128"/>
        <source>Its draft model, {name} ({size}), makes its answers faster.</source>
        <translation>它的草稿模型 {name}（{size}）能让它回答得更快。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="137"/>
        <source>Also download the draft</source>
        <translation>同时下载草稿模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="140"/>
        <source>Download the draft model {name}</source>
        <translation>下载草稿模型 {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="142"/>
        <source>A smaller model of the same family that guesses ahead; {model} checks its guesses.</source>
        <translation>同系列的较小模型预先猜测，由 {model} 核对它的猜测。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="185"/>
        <source>thinking switch</source>
        <translation>可切换思考</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="187"/>
        <source>thinks before answering</source>
        <translation>先思考再回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="189"/>
        <source>for code</source>
        <translation>写代码用</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="191"/>
        <source>image input is not supported yet</source>
        <translation>暂不支持图片输入</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="204"/>
        <source>about {speed} tokens/s here</source>
        <translation>本机约每秒 {speed} 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="211"/>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="41"/>
        <location filename="../../app/ui/models/recommended_list.py" line="214"/>
        <source>Resume</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="40"/>
        <location filename="../../app/ui/models/recommended_list.py" line="217"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
</context>
<context>
    <name>RecommendedList</name>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="351"/>
        <source>Only models that answer at {speed} tokens/s or faster here</source>
        <translation>只显示本机每秒至少 {speed} 个词元的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/recommended_list.py" line="355"/>
        <source>Fastest here first</source>
        <translation>在本机最快的排在前面</translation>
    </message>
</context>
<context>
    <name>RecoveryProgressDialog</name>
    <message>
        <location filename="../../app/ui/common/progress.py" line="35"/>
        <location filename="../../app/ui/common/progress.py" line="36"/>
        <source>Recovering your history</source>
        <translation>正在恢复您的历史记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/progress.py" line="60"/>
        <source>Recovering your history… {percent} %</source>
        <translation>正在恢复您的历史记录…… {percent}%</translation>
    </message>
    <message>
        <location filename="../../app/ui/common/progress.py" line="62"/>
        <source>The damaged file is kept aside, unchanged; what it still holds is merged back.</source>
        <translation>损坏的文件已原样保留在一旁；其中仍可读取的内容会合并回来。</translation>
    </message>
</context>
<context>
    <name>RemoteModelsList</name>
    <message>
        <location filename="../../app/ui/models/remote_list.py" line="24"/>
        <source>On remote servers (conversations with these leave this computer)</source>
        <translation>远程服务器上的模型（与它们的对话会离开这台电脑）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/remote_list.py" line="27"/>
        <source>Models on remote servers</source>
        <translation>远程服务器上的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/remote_list.py" line="43"/>
        <source>{model} — on {server} ({host})</source>
        <translation>{model} — 位于 {server}（{host}）</translation>
    </message>
</context>
<context>
    <name>RemoteServersTab</name>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="34"/>
        <source>Chat with models on other computers or hosted services that speak the OpenAI API (llama.cpp, vLLM, Ollama, LM Studio…). Conversations with them leave this computer.</source>
        <translation>与其他电脑上或托管服务中支持 OpenAI API 的模型对话（llama.cpp、vLLM、Ollama、LM Studio…）。与它们的对话会离开这台电脑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="42"/>
        <source>Remote servers</source>
        <translation>远程服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="44"/>
        <source>Lab computer</source>
        <translation>实验室电脑</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="49"/>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="142"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="50"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="51"/>
        <source>Save changes</source>
        <translation>保存更改</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="52"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="53"/>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="54"/>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="55"/>
        <source>Ask this server for token probabilities</source>
        <translation>向此服务器索取词元概率</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="57"/>
        <source>Every answer asks for how sure the model was of each word, so that “Look inside” can show it</source>
        <translation>每个回答都会索取模型对每个词的把握程度，以便“查看内部”能显示出来</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="69"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="70"/>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="71"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="99"/>
        <source>asking for its models…</source>
        <translation>正在获取模型列表…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="101"/>
        <source>cannot be used</source>
        <translation>无法使用</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="103"/>
        <source>models: {count}</source>
        <translation>模型：{count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="133"/>
        <source>No remote servers: every conversation stays on this computer.</source>
        <translation>没有远程服务器：所有对话都留在这台电脑上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_servers_tab.py" line="142"/>
        <source>Unchanged (a key is set)</source>
        <translation>不变（已设置密钥）</translation>
    </message>
</context>
<context>
    <name>RemoteSettings</name>
    <message>
        <location filename="../../app/ui/settings/remote_pages.py" line="25"/>
        <source>Remote servers</source>
        <translation>远程服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/remote_pages.py" line="28"/>
        <source>Local API server</source>
        <translation>本地 API 服务器</translation>
    </message>
</context>
<context>
    <name>SchemaField</name>
    <message>
        <location filename="../../app/ui/personas/schema_field.py" line="26"/>
        <source>JSON Schema</source>
        <translation>JSON Schema</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/schema_field.py" line="29"/>
        <source>Empty: answers are free text. A JSON Schema here holds every answer to it.</source>
        <translation>留空：回答为自由文本。在此填写 JSON Schema，每个回答都会遵循它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/schema_field.py" line="34"/>
        <location filename="../../app/ui/personas/schema_field.py" line="35"/>
        <source>An answer could look like this</source>
        <translation>回答可能是这样的</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/schema_field.py" line="75"/>
        <source>Answers are free text.</source>
        <translation>回答为自由文本。</translation>
    </message>
    <message>
        <location filename="../../app/ui/personas/schema_field.py" line="87"/>
        <source>Every answer will be JSON that follows this schema.</source>
        <translation>每个回答都将是遵循此 Schema 的 JSON。</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <location filename="../../app/ui/sidebar/search.py" line="53"/>
        <source>Search conversations (Ctrl+K)</source>
        <translation>搜索对话（Ctrl+K）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/search.py" line="54"/>
        <source>Search the conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/search.py" line="58"/>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/search.py" line="62"/>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="87"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="94"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="95"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="96"/>
        <source>Hugging Face Hub</source>
        <translation>Hugging Face Hub</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="97"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="102"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="144"/>
        <source>Switch the open conversation to it as well</source>
        <translation>当前对话也切换到该模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="148"/>
        <source>Unticked, the open conversation keeps its model and only new conversations use the new one</source>
        <translation>不勾选时，当前对话保留原来的模型，只有新对话使用新的默认模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="163"/>
        <location filename="../../app/ui/settings/dialog.py" line="184"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="168"/>
        <source>Default model:</source>
        <translation>默认模型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="150"/>
        <source>Add it to every persona&apos;s system prompt</source>
        <translation>把它加入每个角色的系统提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="154"/>
        <source>e.g. I am a nurse in Shanghai; answer in simple English.</source>
        <translation>例如：我是上海的一名护士；请用简单的英语回答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="158"/>
        <source>Drop the oldest turns</source>
        <translation>丢弃最早的几轮</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="159"/>
        <source>Stop and ask</source>
        <translation>停下并询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="161"/>
        <source>For personas that do not choose for themselves</source>
        <translation>用于没有自行设置的角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="170"/>
        <source>About you:</source>
        <translation>关于你：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="172"/>
        <source>When a conversation is full:</source>
        <translation>对话满了时：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="174"/>
        <source>System prompts and sampling belong to each persona: open Personas… in the sidebar.</source>
        <translation>系统提示词和采样参数属于各个角色：请在侧边栏打开“角色…”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="176"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="177"/>
        <source>A new language takes effect as soon as you save.</source>
        <translation>保存后立即切换语言。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="185"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="186"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="190"/>
        <source>System size</source>
        <translation>系统大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="190"/>
        <source>{size} pt</source>
        <translation>{size} 磅</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="193"/>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="194"/>
        <source>Text size:</source>
        <translation>文字大小：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="195"/>
        <source>Both apply to every window as soon as you save.</source>
        <translation>保存后立即应用到所有窗口。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="202"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="204"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="205"/>
        <source>Auto: as many layers as fit the free GPU memory; 0: none</source>
        <translation>自动：按空闲显存放入尽可能多的层；0：不使用 GPU</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="209"/>
        <source>Whether this build can use the GPU is known once a model has loaded.</source>
        <translation>加载过一次模型后，才能知道此版本能否使用 GPU。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="211"/>
        <source>This build of llama.cpp can offload layers to the GPU.</source>
        <translation>此版本的 llama.cpp 可以把模型层卸载到 GPU。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="213"/>
        <source>This build of llama.cpp runs on the CPU only, so this setting has no effect.</source>
        <translation>此版本的 llama.cpp 只能在 CPU 上运行，因此该设置不起作用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="223"/>
        <source>A new context length reloads the model. A persona may set its own.</source>
        <translation>更改上下文长度会重新加载模型。角色也可以设置自己的上下文长度。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="216"/>
        <source>Context length:</source>
        <translation>上下文长度：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="217"/>
        <source>GPU layers:</source>
        <translation>GPU 层数：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="220"/>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="221"/>
        <source>Disk for saved conversation states, so long chats reopen at once</source>
        <translation>用于保存对话状态的磁盘空间，让长对话能立即重新打开</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="222"/>
        <source>Conversation cache:</source>
        <translation>对话缓存：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="226"/>
        <source>{package}, ggml {version}</source>
        <translation>{package}，ggml {version}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="231"/>
        <source>llama.cpp build:</source>
        <translation>llama.cpp 版本：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="234"/>
        <source>Backends:</source>
        <translation>后端：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="250"/>
        <source>Use the mirror {host}</source>
        <translation>使用镜像 {host}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="253"/>
        <source>Endpoint:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="259"/>
        <source>Leave empty for huggingface.co. Where the Hub is slow or blocked, enter a mirror, for example https://hf-mirror.com.</source>
        <translation>留空则使用 huggingface.co。如果访问 Hub 较慢或无法访问，请填写镜像地址，例如 https://hf-mirror.com。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="264"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="269"/>
        <source>Only needed for gated models: accept the licence on the Hub, then paste a read token here. It is kept in Parley&apos;s settings file on this computer and sent only to the endpoint above.</source>
        <translation>仅访问受限模型时需要：先在 Hub 上接受许可协议，再把只读令牌粘贴到这里。令牌保存在这台电脑上的 Parley 设置文件中，只会发送给上面的端点。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="298"/>
        <source>The endpoint must be a web address such as https://hf-mirror.com.</source>
        <translation>端点必须是网址，例如 https://hf-mirror.com。</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="44"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="45"/>
        <source>New temporary chat (not saved, no memory)</source>
        <translation>新建临时对话（不保存，不用记忆）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="46"/>
        <source>Search the conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="47"/>
        <source>Go to the message box</source>
        <translation>转到消息框</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="48"/>
        <source>Stop the answer</source>
        <translation>停止回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="49"/>
        <source>Copy the last answer</source>
        <translation>复制最后一条回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="50"/>
        <source>Write the last answer again</source>
        <translation>重新生成最后一条回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="51"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="52"/>
        <source>Previous conversation</source>
        <translation>上一个对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="53"/>
        <source>Next conversation</source>
        <translation>下一个对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="54"/>
        <source>Switch the model</source>
        <translation>切换模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="55"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="87"/>
        <location filename="../../app/ui/shell/shortcuts.py" line="90"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="91"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/shortcuts.py" line="91"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="37"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="58"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="60"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新的对话（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="65"/>
        <location filename="../../app/ui/sidebar/panel.py" line="66"/>
        <source>Start a new conversation with a persona</source>
        <translation>用某个角色开始新的对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="72"/>
        <location filename="../../app/ui/sidebar/panel.py" line="90"/>
        <source>New project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="73"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="76"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="81"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="84"/>
        <location filename="../../app/ui/sidebar/panel.py" line="498"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="87"/>
        <location filename="../../app/ui/sidebar/panel.py" line="477"/>
        <source>Pin to top</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="88"/>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="89"/>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="98"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="158"/>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="159"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="223"/>
        <source>{name} (archived)</source>
        <translation>{name}（已归档）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="227"/>
        <source>open</source>
        <translation>已展开</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="227"/>
        <source>closed</source>
        <translation>已折叠</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="228"/>
        <source>Project {name}, {state}, {count} chats</source>
        <translation>项目 {name}，{state}，{count} 个对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="229"/>
        <source>, archived</source>
        <translation>，已归档</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="401"/>
        <source>Deleted “{title}”.</source>
        <translation>已删除“{title}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="477"/>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="492"/>
        <source>New chat in project</source>
        <translation>在项目中新建对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="493"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="495"/>
        <source>Unarchive</source>
        <translation>取消归档</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="497"/>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="503"/>
        <source>Move to project…</source>
        <translation>移到项目…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/panel.py" line="512"/>
        <source>No project (main list)</source>
        <translation>不属于项目（主列表）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="144"/>
        <source>Delete project</source>
        <translation>删除项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="145"/>
        <source>Delete the project “{name}”?</source>
        <translation>删除项目“{name}”？</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="147"/>
        <source>It has {count} chats. Keep them in the main list, or delete them too?</source>
        <translation>它有 {count} 个对话。把它们留在主列表中，还是一并删除？</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="151"/>
        <source>Keep the chats</source>
        <translation>保留对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar/project_dialog.py" line="153"/>
        <source>Delete the chats too</source>
        <translation>一并删除对话</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <location filename="../../app/ui/shell/single_instance.py" line="128"/>
        <source>Parley is not responding</source>
        <translation>Parley 没有响应</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/single_instance.py" line="129"/>
        <source>Parley is already open on this data folder, but it is not responding.</source>
        <translation>Parley 已在此数据文件夹上打开，但没有响应。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/single_instance.py" line="132"/>
        <source>It may be stuck. You can end it and open Parley again: what it has saved is kept, and an answer it was writing is kept as far as it got.</source>
        <translation>它可能卡住了。你可以结束它并重新打开 Parley：已保存的内容都会保留，正在写的回答也会保留到已写出的部分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/single_instance.py" line="139"/>
        <source>End it and open Parley</source>
        <translation>结束它并打开 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/single_instance.py" line="142"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SizeNotice</name>
    <message>
        <location filename="../../app/ui/chat/size_notice.py" line="41"/>
        <source>⚠ {model} is too small for {persona}; pick a model of {need} parameters or more.</source>
        <translation>⚠ {model} 太小，做不好“{persona}”的工作；请选择 {need} 参数或更大的模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/size_notice.py" line="43"/>
        <source>⚠ {model} ({size}) is too small for {persona}; pick a model of {need} parameters or more.</source>
        <translation>⚠ {model}（{size}）太小，做不好“{persona}”的工作；请选择 {need} 参数或更大的模型。</translation>
    </message>
</context>
<context>
    <name>Sources</name>
    <message>
        <location filename="../../app/ui/chat/sources.py" line="82"/>
        <location filename="../../app/ui/chat/sources.py" line="150"/>
        <source>p. {page}</source>
        <translation>第 {page} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sources.py" line="90"/>
        <source>Source {number}: {name}</source>
        <translation>来源 {number}：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sources.py" line="91"/>
        <source>Source {number}: {name}, page {page}</source>
        <translation>来源 {number}：{name}，第 {page} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sources.py" line="98"/>
        <source>Attached:</source>
        <translation>附件：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sources.py" line="128"/>
        <source>Sources:</source>
        <translation>来源：</translation>
    </message>
</context>
<context>
    <name>StateCacheBox</name>
    <message>
        <location filename="../../app/ui/settings/state_cache_box.py" line="27"/>
        <source>Saved conversation states</source>
        <translation>已保存的对话状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/state_cache_box.py" line="32"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/state_cache_box.py" line="33"/>
        <source>Long conversations then take longer to reopen, once</source>
        <translation>清除后，长对话下次重新打开时会慢一次</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/state_cache_box.py" line="47"/>
        <source>{size} on disk, so that long conversations reopen without reading them again.</source>
        <translation>占用磁盘 {size}，让长对话重新打开时无需再次读取全文。</translation>
    </message>
</context>
<context>
    <name>UpdateChecker</name>
    <message>
        <location filename="../../app/ui/models/updates.py" line="43"/>
        <source>Check for updates</source>
        <translation>检查更新</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="44"/>
        <source>Ask the Hugging Face Hub whether downloaded models have a newer version</source>
        <translation>询问 Hugging Face Hub 已下载的模型是否有新版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="56"/>
        <source>No model here was downloaded from the Hugging Face Hub.</source>
        <translation>这里没有从 Hugging Face Hub 下载的模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="60"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="80"/>
        <source>Every downloaded model is up to date.</source>
        <translation>所有已下载的模型都是最新的。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="84"/>
        <source>A newer version is on the Hub for: {models}.</source>
        <translation>Hub 上有这些模型的新版本：{models}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/updates.py" line="85"/>
        <source>Update</source>
        <translation>更新</translation>
    </message>
</context>
<context>
    <name>VoiceTab</name>
    <message>
        <location filename="../../app/ui/shell/settings_opening.py" line="47"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="44"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="55"/>
        <source>No microphone</source>
        <translation>没有麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="59"/>
        <source>No microphone was found; connect one and try again.</source>
        <translation>没有找到麦克风；请连接一个后再试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="61"/>
        <source>Microphone:</source>
        <translation>麦克风：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="65"/>
        <source>Speech recognition</source>
        <translation>语音识别</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="66"/>
        <source>Speech recognition:</source>
        <translation>语音识别：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="68"/>
        <source>Dictation language</source>
        <translation>听写语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="69"/>
        <source>Detect it</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="72"/>
        <source>Dictation language:</source>
        <translation>听写语言：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="76"/>
        <source>English voice</source>
        <translation>英文语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="76"/>
        <source>English voice:</source>
        <translation>英文语音：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="77"/>
        <source>Chinese voice</source>
        <translation>中文语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="77"/>
        <source>Chinese voice:</source>
        <translation>中文语音：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="85"/>
        <source>Send dictated text at once (without editing it first)</source>
        <translation>听写的文字立即发送（不先编辑）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="87"/>
        <source>Read answers aloud as they are written</source>
        <translation>回答一边生成一边朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="90"/>
        <source>Conversation mode: listen, answer aloud, listen again (Ctrl+Shift+T)</source>
        <translation>对话模式：听、朗读回答、再听（Ctrl+Shift+T）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="93"/>
        <source>Speaking while the answer is read stops it and is heard as your next message.</source>
        <translation>在朗读回答时说话会停止朗读，您说的话会作为下一条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="101"/>
        <source>Speech is recognised and spoken on this computer; nothing you say leaves it. Code blocks are not read out: the voice says “code block” instead.</source>
        <translation>语音的识别和朗读都在这台电脑上进行；您说的话不会离开它。代码块不会被读出来：语音会说“代码块”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="130"/>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="130"/>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="141"/>
        <source>English</source>
        <translation>仅英语</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="142"/>
        <source>US English</source>
        <translation>美式英语</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="143"/>
        <source>British English</source>
        <translation>英式英语</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="144"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="145"/>
        <source>Chinese, small</source>
        <translation>中文，小型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="147"/>
        <source>{name} ({speaks})</source>
        <translation>{name}（{speaks}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="152"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="153"/>
        <source>Download {name}</source>
        <translation>下载{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="180"/>
        <source>Downloading {name}: {done} of {total}</source>
        <translation>正在下载 {name}：{done} / {total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/voice_tab.py" line="191"/>
        <source>{name} is installed.</source>
        <translation>{name} 已安装。</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="41"/>
        <source>Welcome to Parley</source>
        <translation>欢迎使用 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="46"/>
        <source>A private assistant that runs entirely on this computer. What you write never leaves it.</source>
        <translation>一个完全在这台电脑上运行的私人助手。您写下的内容绝不会离开这台电脑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="71"/>
        <source>Or choose another recommended model</source>
        <translation>或者选择其他推荐模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="76"/>
        <source>They come from the Hugging Face Hub. The badge tells how well each fits this computer&apos;s free memory; a chat opens when the download is done.</source>
        <translation>模型来自 Hugging Face Hub。标签表示每个模型与这台电脑可用内存的匹配程度；下载完成后会自动打开对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="85"/>
        <location filename="../../app/ui/models/welcome.py" line="228"/>
        <source>Find models on the Hub…</source>
        <translation>在 Hub 上查找模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="87"/>
        <location filename="../../app/ui/models/welcome.py" line="178"/>
        <source>Open a GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="176"/>
        <source>No model is on this computer yet: download one, or open a GGUF file you have.</source>
        <translation>这台电脑上还没有模型：请下载一个，或打开你已有的 GGUF 文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="180"/>
        <source>Try a tiny offline demo model (basic answers)</source>
        <translation>试用一个很小的离线演示模型（只能简单回答）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="182"/>
        <source>Start chatting with {model}</source>
        <translation>开始与 {model} 对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="198"/>
        <source>Downloading {model}… {percent}%</source>
        <translation>正在下载 {model}… {percent}%</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="200"/>
        <source>{progress} · {time} left</source>
        <translation>{progress} · 剩余 {time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="205"/>
        <source>Download {model} ({size})</source>
        <translation>下载 {model}（{size}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="212"/>
        <source>The best recommended model that fits this computer. A chat with it opens when the download is done.</source>
        <translation>适合这台电脑的最佳推荐模型。下载完成后会打开与它的对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="216"/>
        <source>The best recommended model that fits this computer and answers at about {speed} tokens/s here (an estimate). A chat with it opens when the download is done.</source>
        <translation>适合本机、且在本机每秒约能生成 {speed} 个词元（估计值）的最佳推荐模型。下载完成后会打开与它的对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/welcome.py" line="228"/>
        <source>Find more models</source>
        <translation>查找更多模型</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <location filename="../../app/ui/shell/actions.py" line="58"/>
        <source>&amp;Chat</source>
        <translation>聊天(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/actions.py" line="71"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/actions.py" line="73"/>
        <source>&amp;About Parley</source>
        <translation>关于 Parley(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/actions.py" line="85"/>
        <source>The last answer is on the clipboard.</source>
        <translation>最后一条回答已复制到剪贴板。</translation>
    </message>
</context>
</TS>
