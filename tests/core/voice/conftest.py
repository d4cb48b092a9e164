from tests.core.voice.speech_models import transcriber, voice

__all__ = ["transcriber", "voice"]
