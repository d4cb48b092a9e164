<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppError</name>
    <message>
        <location filename="../../app/core/errors.py" line="31"/>
        <source>Something went wrong: {reason}</source>
        <translation>出了点问题：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="46"/>
        <source>No model called “{name}” is installed, and no such file exists.</source>
        <translation>没有安装名为“{name}”的模型，也找不到这个文件。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="50"/>
        <source>The model file {path} could not be loaded: {reason}</source>
        <translation>无法加载模型文件 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="54"/>
        <source>{path} is not a usable GGUF model file: {reason}</source>
        <translation>{path} 不是可用的 GGUF 模型文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="58"/>
        <source>The model engine stopped unexpectedly ({reason}). Your conversation is safe; the next message starts a fresh engine.</source>
        <translation>模型引擎意外停止（{reason}）。您的对话已安全保存；发送下一条消息时会启动新的引擎。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="66"/>
        <source>The answer could not be generated: {reason}</source>
        <translation>无法生成回答：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="70"/>
        <source>The message is too long for this model&apos;s context ({tokens} tokens, the limit is {limit}). Shorten it or start a new conversation.</source>
        <translation>这条消息超出了该模型的上下文长度（{tokens} 个词元，上限为 {limit}）。请缩短消息，或开始新的对话。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="78"/>
        <source>The history database {path} was written by a newer version of Parley (schema {found}, this version knows {known}). It was left untouched; please update Parley.</source>
        <translation>历史数据库 {path} 由更新版本的 Parley 写入（架构版本 {found}，当前版本只支持到 {known}）。该文件未被改动；请更新 Parley。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="86"/>
        <source>The history database {path} is damaged and could not be opened: {reason}. It was left untouched.</source>
        <translation>历史数据库 {path} 已损坏，无法打开：{reason}。该文件未被改动。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="93"/>
        <source>Parley could not save to {path}: {reason}</source>
        <translation>Parley 无法保存到 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="97"/>
        <source>There is no conversation with the id {id}.</source>
        <translation>不存在 ID 为 {id} 的对话。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="101"/>
        <source>The Hugging Face Hub can&apos;t be reached ({reason}). Installed models keep working; try again when you are online.</source>
        <translation>无法连接 Hugging Face Hub（{reason}）。已安装的模型仍可正常使用；请在联网后重试。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="109"/>
        <source>{repo} is gated: accept its licence on the Hugging Face Hub, then add an access token in Settings.</source>
        <translation>{repo} 需要授权访问：请先在 Hugging Face Hub 上接受其许可协议，然后在“设置”中添加访问令牌。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="116"/>
        <source>The Hugging Face Hub has no {what}.</source>
        <translation>Hugging Face Hub 上没有 {what}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="120"/>
        <source>The Hugging Face Hub refused the request: {reason}</source>
        <translation>Hugging Face Hub 拒绝了请求：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="124"/>
        <source>There is not enough free disk space for {name}: it needs {needed}, but only {free} is free in {path}.</source>
        <translation>磁盘空间不足，无法保存 {name}：需要 {needed}，但 {path} 中只剩 {free}。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="131"/>
        <source>The downloaded file {file} does not match the checksum published on the Hub, so it was deleted. Please download it again.</source>
        <translation>下载的文件 {file} 与 Hub 上公布的校验和不一致，已被删除。请重新下载。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="139"/>
        <source>The download of {file} was interrupted ({reason}). What arrived is kept; starting the download again resumes where it stopped.</source>
        <translation>{file} 的下载中断了（{reason}）。已下载的部分会保留；重新开始下载时将从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="147"/>
        <source>The file name “{name}” would be saved outside the models folder, so it was refused.</source>
        <translation>文件名“{name}”会使文件保存到模型文件夹之外，因此已被拒绝。</translation>
    </message>
    <message>
        <location filename="../../app/core/errors.py" line="153"/>
        <source>The model {name} was not removed: {reason}</source>
        <translation>模型 {name} 未被删除：{reason}</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <location filename="../../app/ui/application.py" line="27"/>
        <source>Parley cannot start</source>
        <translation>Parley 无法启动</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/banner.py" line="34"/>
        <location filename="../../app/ui/banner.py" line="35"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../app/ui/chat_controller.py" line="254"/>
        <source>{model} has no chat template of its own, so Parley uses the ChatML format for it.</source>
        <translation>{model} 没有自带聊天模板，Parley 将为它使用 ChatML 格式。</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../app/ui/chat_view.py" line="138"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="139"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="141"/>
        <source>writing…</source>
        <translation>正在输入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="142"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="143"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="144"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../app/ui/composer.py" line="78"/>
        <source>Message Parley (Enter sends, Shift+Enter starts a new line)</source>
        <translation>给 Parley 发消息（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="83"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="85"/>
        <source>Send the message (Enter)</source>
        <translation>发送消息（Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="86"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="88"/>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../app/ui/crash.py" line="53"/>
        <source>Parley hit a bug</source>
        <translation>Parley 遇到了程序错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash.py" line="54"/>
        <source>Something inside Parley went wrong that should not have. Your conversations are saved.</source>
        <translation>Parley 内部发生了不应出现的错误。您的对话均已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash.py" line="57"/>
        <source>The details below were also written to {path}. Please include them in a bug report.</source>
        <translation>以下详细信息也已写入 {path}。提交错误报告时请附上这些信息。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="120"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="246"/>
        <source>No model is installed</source>
        <translation>尚未安装模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="253"/>
        <source>{model} · {speed} tokens/s · first token {ttft} s</source>
        <translation>{model} · 每秒 {speed} 个词元 · 首个词元 {ttft} 秒</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../app/ui/model_picker.py" line="35"/>
        <source>The model that answers in this conversation</source>
        <translation>在此对话中回答的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/model_picker.py" line="45"/>
        <source>Open a GGUF model file</source>
        <translation>打开 GGUF 模型文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/model_picker.py" line="45"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../app/ui/model_picker.py" line="65"/>
        <source>Open a GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../app/ui/sidebar.py" line="19"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="36"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="38"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新的对话（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="45"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="48"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="71"/>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="71"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="79"/>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="80"/>
        <source>Delete “{title}” and all its messages? This cannot be undone.</source>
        <translation>要删除“{title}”及其全部消息吗？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <location filename="../../app/ui/welcome.py" line="20"/>
        <source>Welcome to Parley</source>
        <translation>欢迎使用 Parley</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="24"/>
        <source>A private assistant that runs entirely on this computer. What you write never leaves it.</source>
        <translation>一个完全在这台电脑上运行的私人助手。您写下的内容绝不会离开这台电脑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="37"/>
        <source>Get more models</source>
        <translation>获取更多模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="41"/>
        <source>Downloading models from the Hugging Face Hub is coming soon. Until then, you can open a GGUF file you already have.</source>
        <translation>从 Hugging Face Hub 下载模型的功能即将推出。在此之前，您可以打开已有的 GGUF 文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="48"/>
        <source>Browse models on the Hub (coming soon)</source>
        <translation>在 Hub 上浏览模型（即将推出）</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="51"/>
        <source>Open a GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="94"/>
        <source>No model is installed yet</source>
        <translation>尚未安装任何模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/welcome.py" line="97"/>
        <source>Start chatting with {model}</source>
        <translation>开始与 {model} 对话</translation>
    </message>
</context>
</TS>
