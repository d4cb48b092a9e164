"""The window's controllers: Qt adapters between the widgets and the core services."""
