"""The look: the light and dark palettes, colours mixed from the palette, the chat document's text
formats and the style sheet.

``palette_for`` is the one place the two themes' colours are written; everything else is mixed
from the palette in force, so a theme switch (or the system's own palette) restyles everything.
"""

from __future__ import annotations

from PySide6 import QtGui

from app.ui.common import markdown_render

_ROLE = QtGui.QPalette.ColorRole
_GROUP = QtGui.QPalette.ColorGroup

THEMES = ("light", "dark")
FONT_SIZES = (0, 9, 10, 11, 12, 13, 14, 16, 18)  # points; 0 keeps the system's size

_LIGHT = {
    _ROLE.Window: "#f4f5f7",
    _ROLE.WindowText: "#1f2328",
    _ROLE.Base: "#ffffff",
    _ROLE.AlternateBase: "#f0f2f5",
    _ROLE.Text: "#1f2328",
    _ROLE.Button: "#f4f5f7",
    _ROLE.ButtonText: "#1f2328",
    _ROLE.BrightText: "#ffffff",
    _ROLE.Highlight: "#2f6fde",
    _ROLE.HighlightedText: "#ffffff",
    _ROLE.Link: "#1f5fc8",
    _ROLE.LinkVisited: "#6a3fb5",
    _ROLE.ToolTipBase: "#ffffff",
    _ROLE.ToolTipText: "#1f2328",
    _ROLE.PlaceholderText: "#6b7280",
    _ROLE.Light: "#ffffff",
    _ROLE.Midlight: "#e6e8eb",
    _ROLE.Mid: "#c4c8ce",
    _ROLE.Dark: "#9aa0a8",
    _ROLE.Shadow: "#5f6670",
}
_DARK = {
    _ROLE.Window: "#1f2023",
    _ROLE.WindowText: "#e6e7e9",
    _ROLE.Base: "#27282c",
    _ROLE.AlternateBase: "#2e3034",
    _ROLE.Text: "#e6e7e9",
    _ROLE.Button: "#2c2e32",
    _ROLE.ButtonText: "#e6e7e9",
    _ROLE.BrightText: "#ffffff",
    _ROLE.Highlight: "#4d8ef7",
    _ROLE.HighlightedText: "#ffffff",
    _ROLE.Link: "#7fb0ff",
    _ROLE.LinkVisited: "#b69cf0",
    _ROLE.ToolTipBase: "#2c2e32",
    _ROLE.ToolTipText: "#e6e7e9",
    _ROLE.PlaceholderText: "#9096a0",
    _ROLE.Light: "#45484e",
    _ROLE.Midlight: "#383a3f",
    _ROLE.Mid: "#2a2c30",
    _ROLE.Dark: "#141517",
    _ROLE.Shadow: "#000000",
}


def palette_for(theme: str) -> QtGui.QPalette:
    """Parley's palette for ``theme`` ("light" or "dark"); disabled text is the muted mix of the two."""
    colours = _DARK if theme == "dark" else _LIGHT
    palette = QtGui.QPalette()
    for role, name in colours.items():
        palette.setColor(role, QtGui.QColor(name))
    text, base = QtGui.QColor(colours[_ROLE.Text]), QtGui.QColor(colours[_ROLE.Base])
    for role in (_ROLE.Text, _ROLE.WindowText, _ROLE.ButtonText):
        palette.setColor(_GROUP.Disabled, role, mix(text, base, 0.55))
    return palette


def is_dark(palette: QtGui.QPalette) -> bool:
    return palette.color(_ROLE.Base).lightness() < 128


# The palette colours everything here is mixed from; when one changes, the window restyles.
THEME_ROLES = (_ROLE.Base, _ROLE.Window, _ROLE.Text, _ROLE.Highlight, _ROLE.HighlightedText)


def mix(a: QtGui.QColor, b: QtGui.QColor, amount: float) -> QtGui.QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QtGui.QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def user_bubble(palette: QtGui.QPalette) -> QtGui.QColor:
    return mix(palette.color(_ROLE.Base), palette.color(_ROLE.Highlight), 0.12)


def answer_bubble(palette: QtGui.QPalette) -> QtGui.QColor:
    return mix(palette.color(_ROLE.Base), palette.color(_ROLE.Text), 0.035)


def code_background(palette: QtGui.QPalette) -> QtGui.QColor:
    return mix(palette.color(_ROLE.Base), palette.color(_ROLE.Text), 0.08)


def muted_text(palette: QtGui.QPalette) -> QtGui.QColor:
    return mix(palette.color(_ROLE.Text), palette.color(_ROLE.Base), 0.45)


def warning_text(palette: QtGui.QPalette) -> QtGui.QColor:
    return mix(QtGui.QColor(196, 43, 28), palette.color(_ROLE.Text), 0.15)


def fixed_font() -> QtGui.QFont:
    return QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)


def focus_ring(palette: QtGui.QPalette) -> QtGui.QColor:
    return palette.color(_ROLE.Highlight)


def markdown_colours(palette: QtGui.QPalette) -> markdown_render.Colours:
    """What the Markdown renderer needs from ``palette``."""
    return markdown_render.Colours(
        code_background=code_background(palette).name(),
        code_label=muted_text(palette).name(),
        border=mix(palette.color(_ROLE.Base), palette.color(_ROLE.Text), 0.3).name(),
        muted=muted_text(palette).name(),
        link=palette.color(_ROLE.Link).name(),
        fixed_family=QtGui.QFontInfo(fixed_font()).family(),
        dark=is_dark(palette),
    )


# -- the chat document --------------------------------------------------------------------------


def header_block_format() -> QtGui.QTextBlockFormat:
    fmt = QtGui.QTextBlockFormat()
    fmt.setBottomMargin(4)
    return fmt


def header_char_format(palette: QtGui.QPalette, status: str) -> QtGui.QTextCharFormat:
    fmt = QtGui.QTextCharFormat()
    fmt.setFontWeight(QtGui.QFont.Weight.DemiBold)
    fmt.setFontPointSize(max(7.0, QtGui.QFont().pointSizeF() - 1))
    bad = status in ("stopped", "interrupted", "failed")
    fmt.setForeground(warning_text(palette) if bad else muted_text(palette))
    return fmt


def muted_char_format(palette: QtGui.QPalette) -> QtGui.QTextCharFormat:
    fmt = QtGui.QTextCharFormat()
    fmt.setForeground(muted_text(palette))
    return fmt


# -- widgets ------------------------------------------------------------------------------------


# Fit badges: green, amber, red, each softened towards the palette's base.
_VERDICT_COLOURS = {
    "fits": QtGui.QColor(46, 160, 67),
    "may_be_slow": QtGui.QColor(214, 140, 20),
    "wont_fit": QtGui.QColor(214, 48, 49),
}


def _badge_rules(palette: QtGui.QPalette) -> str:
    base, text = palette.color(_ROLE.Base), palette.color(_ROLE.Text)
    rules = []
    for verdict, colour in _VERDICT_COLOURS.items():
        background = mix(base, colour, 0.18).name()
        foreground = mix(colour, text, 0.35).name()
        rules.append(f'#fitBadge[verdict="{verdict}"] {{ background: {background}; color: {foreground}; }}')
    return "\n    ".join(rules)


# Controls the style sheet draws itself, so they lose the style's own focus frame: each gets a ring.
_RINGED = (
    "#startButton",
    "#sendButton",
    "#stopButton",
    "#newChatButton",
    "#pageButton",
    "#modelButton",
    "#useModelButton",
    "#hubButton",
    "#openFileButton",
    "#backButton",
    "#downloadModelButton",
    "#downloadDraftButton",
    "#downloadButton",
    "#searchEdit",
    "#conversationList",
    "#hubResults",
    "#hubFiles",
    "#modelTable",
    "#secondaryStartButton",
    "#chatNowButton",
    "#mirrorButton",
    "#bannerAction",
)


def _focus_rules(palette: QtGui.QPalette) -> str:
    """A visible two-pixel ring in the highlight colour on every control the style sheet draws."""
    ring = focus_ring(palette).name()
    selectors = ", ".join(f"{name}:focus" for name in _RINGED)
    composer = f'#composer[focused="true"] {{ border: 2px solid {ring}; }}'
    border = mix(palette.color(_ROLE.Window), palette.color(_ROLE.Text), 0.22).name()
    # A combo's popup draws its rows with the combo's own rule: without selection colours of its
    # own, the current and hovered rows take the combo's background behind highlighted text.
    combos = (
        f"QComboBox {{ border: 1px solid {border}; border-radius: 6px; padding: 3px 8px; "
        f"background: {palette.color(_ROLE.Base).name()}; color: {palette.color(_ROLE.Text).name()}; "
        f"selection-background-color: {palette.color(_ROLE.Highlight).name()}; "
        f"selection-color: {palette.color(_ROLE.HighlightedText).name()}; }}\n"
        # The ring keeps the vertical padding: a combo whose padding changes with focus opens a popup
        # sized for the unfocused box, too short for its rows.
        f"    QComboBox:focus {{ border: 2px solid {ring}; padding: 3px 7px; }}"
    )
    return f"{selectors} {{ border: 2px solid {ring}; }}\n    {composer}\n    {combos}"


# Titles and badges, as multiples of the text size: an 18 pt text size keeps its headings above the text
# (fixed points left "Library folders" at 11 pt under 18 pt notes). At 10 pt they are 12, 20, 11 and 16 pt.
_SCALES = {"chat": 1.2, "welcome": 2.0, "section": 1.1, "page": 1.6, "badge": 0.8, "start": 1.1}
DEFAULT_POINTS = 10.0  # the text size assumed where the font is sized in pixels


def style_sheet(palette: QtGui.QPalette, points: float = DEFAULT_POINTS) -> str:
    """The window's style sheet, with colours taken from ``palette`` and titles sized from a text of ``points``."""
    size = {name: f"{round(points * scale, 1)}pt" for name, scale in _SCALES.items()}
    base = palette.color(_ROLE.Base)
    window = palette.color(_ROLE.Window)
    text = palette.color(_ROLE.Text)
    highlight = palette.color(_ROLE.Highlight)
    border = mix(window, text, 0.14).name()
    sidebar_color = mix(window, base, 0.35)
    sidebar = sidebar_color.name()
    selected = mix(base, highlight, 0.16).name()
    hover = mix(sidebar_color, text, 0.06).name()
    muted = muted_text(palette).name()
    on_highlight = palette.color(_ROLE.HighlightedText).name()
    pressed = mix(highlight, text, 0.2).name()
    disabled = mix(base, text, 0.12).name()
    return f"""
    #sidebar {{ background: {sidebar}; border-right: 1px solid {border}; }}
    #conversationList {{ background: transparent; border: none; outline: none; }}
    #conversationList::item {{ padding: 7px 10px; margin: 1px 6px; border-radius: 6px; }}
    #conversationList::item:hover {{ background: {hover}; }}
    #conversationList::item:selected {{ background: {selected}; color: {text.name()}; }}
    #chatPage, #welcomePage, #chatView {{ background: {base.name()}; }}
    #chatView {{ border: 2px solid {base.name()}; selection-background-color: {highlight.name()};
        selection-color: {on_highlight}; }}
    #settingsCategories::item {{ padding: 4px 8px; }}
    #chatView:focus {{ border-color: {focus_ring(palette).name()}; }}
    #chatHeader {{ background: {base.name()}; border-bottom: 1px solid {border}; }}
    #chatTitle {{ font-size: {size['chat']}; font-weight: 600; }}
    #composer {{ background: {base.name()}; border: 1px solid {border}; border-radius: 10px; }}
    #composerEdit {{ background: transparent; }}
    #welcomeTitle {{ font-size: {size['welcome']}; font-weight: 600; }}
    #welcomeSubtitle, #mutedLabel {{ color: {muted}; }}
    #sectionTitle {{ font-size: {size['section']}; font-weight: 600; }}
    #pageTitle {{ font-size: {size['page']}; font-weight: 600; }}
    #findModelsPage, #welcomeContent {{ background: {base.name()}; }}
    #welcomeScroll {{ background: {base.name()}; border: none; }}
    #modelCard {{ background: {base.name()}; border: 1px solid {border}; border-radius: 10px; }}
    #modelCardName {{ font-weight: 600; }}
    #fitBadge {{ border-radius: 8px; padding: 1px 8px; font-size: {size['badge']}; font-weight: 600; }}
    {_badge_rules(palette)}
    #downloadModelButton {{ background: {base.name()}; color: {highlight.name()}; border: 1px solid {highlight.name()};
        border-radius: 8px; padding: 5px 12px; font-weight: 600; }}
    #downloadModelButton:pressed {{ background: {selected}; }}
    #downloadModelButton:disabled {{ color: {muted}; border-color: {border}; }}
    #downloadDraftButton {{ border: 2px solid transparent; border-radius: 4px; background: transparent;
        color: {highlight.name()}; text-decoration: underline; padding: 1px 2px; }}
    #hubButton, #openFileButton, #backButton {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 14px;
        background: {base.name()}; }}
    #hubButton:pressed, #openFileButton:pressed, #backButton:pressed {{ background: {hover}; }}
    #hubButton[link="true"] {{ border: none; background: transparent; color: {highlight.name()};
        text-decoration: underline; padding: 6px 2px; }}
    #searchEdit {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 10px; background: {base.name()}; }}
    #hubResults, #hubFiles {{ border: 1px solid {border}; border-radius: 8px; background: {base.name()}; }}
    #repoNote {{ color: {muted}; }}
    #repoNote[warning="true"] {{ color: {warning_text(palette).name()}; }}
    #downloadsTitle {{ color: {muted}; font-weight: 600; padding-left: 4px; }}
    #downloadRow {{ background: {base.name()}; border: 1px solid {border}; border-radius: 8px; }}
    #downloadName {{ font-weight: 600; }}
    #downloadDetail {{ color: {muted}; }}
    #downloadBar {{ background: {disabled}; border: none; border-radius: 3px; }}
    #downloadBar::chunk {{ background: {highlight.name()}; border-radius: 3px; }}
    #downloadButton {{ border: 1px solid {border}; border-radius: 6px; padding: 2px 8px; background: {base.name()}; }}
    #downloadButton:pressed {{ background: {hover}; }}
    #downloadButton:disabled {{ color: {muted}; }}
    #startButton, #sendButton {{ background: {highlight.name()}; color: {on_highlight}; border: none;
        border-radius: 8px; padding: 6px 16px; font-weight: 600; }}
    #startButton {{ padding: 10px 18px; font-size: {size['start']}; }}
    #startButton[secondary="true"] {{ background: transparent; color: {highlight.name()}; font-weight: 500;
        border: 1px solid {border}; font-size: {points}pt; padding: 6px 14px; }}
    #startButton:pressed, #sendButton:pressed {{ background: {pressed}; }}
    #startButton:disabled, #sendButton:disabled {{ background: {disabled}; color: {muted}; }}
    #stopButton, #newChatButton {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 14px;
        background: {base.name()}; }}
    #stopButton:disabled {{ color: {muted}; }}
    #stopButton:pressed, #newChatButton:pressed {{ background: {hover}; }}
    #modelStatus {{ color: {muted}; }}
    #modelsPage {{ background: {base.name()}; }}
    #modelTable {{ border: 1px solid {border}; border-radius: 8px; background: {base.name()}; }}
    #pageButton, #modelButton, #bannerAction {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 14px;
        background: {base.name()}; }}
    #pageButton:pressed, #modelButton:pressed, #bannerAction:pressed {{ background: {hover}; }}
    #pageButton:checked {{ background: {selected}; border-color: {mix(base, highlight, 0.45).name()}; }}
    #modelButton:disabled {{ color: {muted}; }}
    #useModelButton {{ background: {highlight.name()}; color: {on_highlight}; border: none; border-radius: 8px;
        padding: 6px 16px; font-weight: 600; }}
    #useModelButton:pressed {{ background: {pressed}; }}
    #useModelButton:disabled {{ background: {disabled}; color: {muted}; }}
    #errorLabel {{ color: {warning_text(palette).name()}; }}
    {_focus_rules(palette)}
    #banner[kind="error"] {{ background: {mix(base, QtGui.QColor(214, 48, 49), 0.12).name()};
        border: 1px solid {mix(base, QtGui.QColor(214, 48, 49), 0.45).name()}; border-radius: 8px; }}
    #banner[kind="info"] {{ background: {mix(base, highlight, 0.10).name()};
        border: 1px solid {mix(base, highlight, 0.40).name()}; border-radius: 8px; }}
    """
