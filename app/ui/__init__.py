"""The Qt window of Parley: widgets, the engine bridge and the chat controller (imports ``app.core`` only)."""
