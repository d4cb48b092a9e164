"""Voice: speech to text (faster-whisper), text to speech (Piper), and the audio in and out (PortAudio)."""
