"""The Qt window of Parley: the shell, controllers over the core services, and the widgets (imports ``app.core``)."""
