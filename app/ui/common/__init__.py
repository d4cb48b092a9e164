"""Widgets and helpers every area of the window shares: the GUI relay, background work, the banner."""
