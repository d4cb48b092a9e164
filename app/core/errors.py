"""Expected errors: each carries one sentence for the user.

Anything that is not an ``AppError`` is a bug and takes the crash path. The sentence is
an English template marked for translation; the window translates it with Qt's
``QCoreApplication.translate("AppError", template)`` and fills in the named fields, so the
core stays free of Qt. A field that is itself a reason with data in it ("nothing answers at
gpu1:8000; …") is translated through its template in ``REASON_TEMPLATES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

Translate = Callable[[str, str], str]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks ``text`` for extraction into the translation files; returns it unchanged."""
    del context
    return text


def _identity(context: str, text: str) -> str:
    del context
    return text


# Reasons that carry data, given by lower layers as filled-in English (``NOTHING_ANSWERS.format(host=…)``).
NOTHING_ANSWERS = QT_TRANSLATE_NOOP("AppError", "nothing answers at {host}; is the server running?")
# Notes under an answer that drew on the library (app.core.documents.context).
FOLDER_STILL_INDEXING = QT_TRANSLATE_NOOP(
    "AppError", "The folder {folder} was still being indexed ({done} of {total} files), so some of it was not searched."
)
FOLDER_MISSING = QT_TRANSLATE_NOOP("AppError", "The folder {folder} is no longer there, so it was not searched.")
# Why a draft model is refused (DraftVocabularyError's sentence, also the engine's load-failure reason).
DRAFT_VOCABULARY_MISMATCH = QT_TRANSLATE_NOOP(
    "AppError",
    "The draft model “{draft}” cannot draft for “{model}”: its vocabulary is not the same, "
    "so none of its guesses could be accepted. Choose another draft model, or Auto.",
)
# Why a JSON Schema cannot hold an answer (app.core.engine.json_schema): llama.cpp's converter would refuse it.
SCHEMA_NOT_JSON = QT_TRANSLATE_NOOP("AppError", "it is not JSON (line {line}, column {column})")
SCHEMA_NOT_OBJECT = QT_TRANSLATE_NOOP("AppError", "it must be a JSON object, not a list, text or a number")
SCHEMA_BAD_TYPE = QT_TRANSLATE_NOOP(
    "AppError", "the type at {where} is “{value}”; use string, number, integer, boolean, object, array or null"
)
SCHEMA_BAD_REF = QT_TRANSLATE_NOOP("AppError", "the $ref at {where} does not point to a part of this schema")
SCHEMA_BAD_PATTERN = QT_TRANSLATE_NOOP("AppError", "the pattern at {where} must start with ^ and end with $")
SCHEMA_BAD_KEYWORD = QT_TRANSLATE_NOOP("AppError", "“{keyword}” at {where} has a value JSON Schema does not allow")
REASON_TEMPLATES: tuple[str, ...] = (
    NOTHING_ANSWERS, FOLDER_STILL_INDEXING, FOLDER_MISSING, DRAFT_VOCABULARY_MISMATCH, SCHEMA_NOT_JSON,
    SCHEMA_BAD_TYPE, SCHEMA_BAD_REF, SCHEMA_BAD_PATTERN, SCHEMA_BAD_KEYWORD,
)  # fmt: skip


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(pattern + r"\Z", re.DOTALL)


_REASON_PATTERNS = tuple((template, _template_pattern(template)) for template in REASON_TEMPLATES)


def translate_reason(translate: Translate, value: str) -> str:
    """``value`` in the window's language: a catalogued phrase, or a filled-in ``REASON_TEMPLATES`` one."""
    for template, pattern in _REASON_PATTERNS:
        match = pattern.match(value)
        if match is not None:
            return translate("AppError", template).format(**match.groupdict())
    return translate("AppError", value)


class AppError(Exception):
    """An error the user can understand and act on."""

    template: ClassVar[str] = QT_TRANSLATE_NOOP("AppError", "Something went wrong: {reason}")

    def __init__(self, **fields: object) -> None:
        self.fields = {key: str(value) for key, value in fields.items()}
        super().__init__(self.user_message())

    def user_message(self, translate: Translate = _identity) -> str:
        template = translate("AppError", self.template)
        # A field may itself be a phrase marked for translation (a reason such as "the connection
        # was refused"); data (names, paths) is not in the catalogue and comes back unchanged.
        fields = {key: translate_reason(translate, value) for key, value in self.fields.items()}
        try:
            return template.format(**fields)
        except (KeyError, IndexError, ValueError):
            return self.template.format(**self.fields)


class ModelNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "No model called “{name}” is installed, and no such file exists.")


class ModelLoadError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The model file {path} could not be loaded: {reason}")


class DraftVocabularyError(AppError):
    template = DRAFT_VOCABULARY_MISMATCH


class ArchitectureUnknownError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "This model needs a newer Parley: its architecture “{architecture}” is unknown to this version."
    )


class NotAGgufError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "{path} is not a usable GGUF model file: {reason}")


class EngineCrashedError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The model engine stopped unexpectedly ({reason}). Your conversation is safe; "
        "the next message starts a fresh engine.",
    )


class GenerationError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The answer could not be generated: {reason}")


class SchemaContinueError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "An answer that follows its persona's JSON Schema cannot be continued (the JSON would break); "
        "regenerate it for a whole answer.",
    )


class LookInsideError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "Parley could not look inside this answer: {reason}")


class NotAnAnswerError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "Message {message} is not an answer of conversation {conversation}.")


class ContextTooLongError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The message is too long for this model's context ({tokens} tokens, the limit is {limit}). "
        "Shorten it or start a new conversation.",
    )


class DatabaseTooNewError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The history database {path} was written by a newer version of Parley (schema {found}, this "
        "version knows {known}). It was left untouched; please update Parley.",
    )


class DatabaseDamagedError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The history database {path} is damaged and could not be opened: {reason}. It was left untouched.",
    )


class DatabaseDamagedInUseError(DatabaseDamagedError):
    """Damage found while the history was open: the app recovers it (``Store.recover_from_damage``)."""

    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The history database {path} turned out to be damaged while Parley was using it: {reason}.",
    )


class StorageError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "Parley could not save to {path}: {reason}")


class DiskFullError(StorageError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The disk holding {path} is full: free some space and try again; nothing already saved was lost."
    )


class StorageReadOnlyError(StorageError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "Parley cannot write to {path}: the folder or the file is read-only. Nothing was changed."
    )


class BackupCheckFailedError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The backup copy {path} did not pass its check, so it was not kept: {reason}"
    )


class RestoreWhileAnsweringError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "An answer is being written. Stop it or let it finish, then restore the backup."
    )


class ConversationNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "There is no conversation with the id {id}.")


class HubUnreachableError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The Hugging Face Hub can't be reached ({reason}). Installed models keep working; "
        "try again when you are online.",
    )


class HubGatedRepoError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "{repo} is gated: accept its licence on the Hugging Face Hub, then add an access token in Settings.",
    )


class HubNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub has no {what}.")


class HubRepoNotFoundError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub has no repository “{repo}” (or it is private).")


class HubRevisionNotFoundError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub has no revision “{revision}” in {repo}.")


class HubFileNotFoundError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub has no file “{file}” in {repo}.")


class HubModelMovedError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "This model was moved on the Hub; search for it.")


class HubInvalidRepoNameError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "“{repo}” is not a valid name for a repository on the Hugging Face Hub.")


class HubNoGgufError(HubNotFoundError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub has no GGUF model file in {repo}.")


class HubError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The Hugging Face Hub refused the request: {reason}")


class NotEnoughDiskSpaceError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "There is not enough free disk space for {name}: it needs {needed}, but only {free} is free in {path}.",
    )


class ChecksumMismatchError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The downloaded file {file} does not match the checksum published on the Hub, so it was deleted. "
        "Please download it again.",
    )


class DownloadInterruptedError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The download of {file} was interrupted ({reason}). What arrived is kept; starting the download "
        "again resumes where it stopped.",
    )


class UnsafeFileNameError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The file name “{name}” would be saved outside the models folder, so it was refused."
    )


class ModelRemoveError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The model {name} was not removed: {reason}")


class ModelSwitchError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} could not be loaded: {reason}. The conversation goes on with {previous}."
    )


class RemoteModelUnavailableError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "{name} could not be loaded: {reason}. The conversation keeps it: send again once the server answers, "
        "or use another model.",
    )


class ModelExistsError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The models folder already has a file called {name}, so {path} was not copied over it."
    )


class ModelBusyError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} is writing an answer right now. Stop the answer or let it finish, then delete the model."
    )


class SettingsUnreadableError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "Parley cannot read its settings file {path} ({reason}). Check its permissions, or move it away."
    )


class EngineHungError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The model engine stopped responding, so Parley ended it. Your answer was kept up to where it stopped; "
        "the next message starts a fresh engine.",
    )


class InvalidTemplateError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "This chat template cannot be used ({reason}); the model keeps the template it had."
    )


class NothingToRegenerateError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "Only an answer to one of your messages can be regenerated or continued, and only your own message edited.",
    )


class HistoryFileError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "{path} is not a conversation export Parley can read: {reason}")


class ContextFullError(AppError):
    """The conversation no longer fits and its persona says to stop and ask (``overflow = "stop"``)."""

    template = QT_TRANSLATE_NOOP(
        "AppError",
        "This conversation no longer fits in the model's memory ({tokens} tokens, the limit is {limit}), so the "
        "answer did not start. Start a new conversation with a summary, or let Parley drop the oldest turns.",
    )


class PersonaInvalidError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The persona's {field} is not valid: {reason}")


class JsonSchemaError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The JSON Schema cannot be used: {reason}")


class PersonaFileError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The personas file could not be read: {reason}")


class PersonaNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "There is no persona named {name}.")


class ProjectNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "There is no project named {name}.")


class ProjectNameError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "A project needs a name that no other project has: “{name}” cannot be used."
    )


class MemoryNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "No memory matches {what}.")


class BuiltinPersonaError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} ships with Parley: it can be reset to its shipped text, not deleted."
    )


class HistoryExportError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The export could not be written to {path}: {reason}")


class InvalidServerUrlError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "“{url}” is not a server address; enter one such as http://192.168.1.20:8000/v1."
    )


class RemoteServerError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The server {host} could not be used: {reason}")


class RemoteStreamCutError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The connection to {host} was lost in the middle of the answer ({reason}). What arrived is kept."
    )


class ApiServerError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The local API server could not start: {reason}")


class ApiKeyRequiredError(ApiServerError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The local API server listens on {host}, which other computers can reach, so it needs an API key. "
        "Set one in Settings → Local API server.",
    )


class DocumentError(AppError):
    """A file that cannot be read as a document; it is not attached (or not indexed), nothing else is lost."""

    template = QT_TRANSLATE_NOOP("AppError", "{name} could not be read: {reason}")


class DocumentEmptyError(DocumentError):
    template = QT_TRANSLATE_NOOP("AppError", "{name} has no text in it, so it was not attached.")


class DocumentScannedError(DocumentError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} is a scanned PDF with no text layer, so it was not attached; run it through OCR first."
    )


class DocumentEncryptedError(DocumentError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} is protected with a password, so it was not attached; save an unprotected copy first."
    )


class DocumentUnsupportedError(DocumentError):
    template = QT_TRANSLATE_NOOP(
        "AppError",
        "{name} is not a kind of file Parley can read; attach text, Markdown, PDF, Word (.docx), HTML, CSV or code.",
    )


class DocumentBinaryError(DocumentUnsupportedError):
    template = QT_TRANSLATE_NOOP("AppError", "{name} is a binary file, not text, so it was not attached.")


class DocumentTooLargeError(DocumentError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "{name} is {size}, larger than the {limit} Parley reads, so it was not attached."
    )


class DocumentUnreadableError(DocumentError):
    template = QT_TRANSLATE_NOOP("AppError", "{name} could not be read, so it was not attached: {reason}")


class LibraryDamagedError(AppError):
    """Said once when the library's index was found damaged; it is derived data and is rebuilt."""

    template = QT_TRANSLATE_NOOP(
        "AppError",
        "The library's index was damaged; it was set aside as {path} and will be rebuilt from your folders.",
    )


class LibraryFolderError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "{path} is not a folder Parley can index.")


class LibraryFolderNotFoundError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The library has no folder {path}.")


class EmbeddingEngineError(AppError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The embedding model {name} stopped unexpectedly ({reason}); the next search starts it again."
    )


class EmbeddingFailedError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "The embedding model {name} could not embed the text: {reason}")


# -- voice (app.core.voice) ------------------------------------------------------------------------


class VoiceError(AppError):
    template = QT_TRANSLATE_NOOP("AppError", "Voice does not work here: {reason}")


class AudioUnavailableError(VoiceError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "Sound does not work here because the PortAudio library is missing (on Linux: libportaudio2)."
    )


class NoMicrophoneError(VoiceError):
    template = QT_TRANSLATE_NOOP("AppError", "No microphone was found; connect one and try again.")


class MicrophoneDeniedError(VoiceError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The microphone {device} could not be opened; allow Parley to use it in the system's settings."
    )


class AudioDeviceUnsupportedError(VoiceError):
    template = QT_TRANSLATE_NOOP("AppError", "The audio device {device} cannot be used: {reason}")


class SpeechModelMissingError(VoiceError):
    template = QT_TRANSLATE_NOOP(
        "AppError", "The speech model “{name}” is not installed; choose an installed one in Settings → Voice."
    )


class SpeechModelBrokenError(VoiceError):
    template = QT_TRANSLATE_NOOP("AppError", "The speech model “{name}” could not be loaded: {reason}")
