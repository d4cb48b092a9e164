"""The look: colours derived from the palette, text formats of the chat document, the style sheet.

Every colour is mixed from the current palette, so the window follows a light or a dark system
theme; nothing here hard-codes a theme.
"""

from __future__ import annotations

from PySide6 import QtGui

_ROLE = QtGui.QPalette.ColorRole
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


def code_frame_format(palette: QtGui.QPalette) -> QtGui.QTextFrameFormat:
    fmt = QtGui.QTextFrameFormat()
    fmt.setBackground(code_background(palette))
    fmt.setPadding(8)
    fmt.setBorder(0)
    fmt.setTopMargin(2)
    fmt.setBottomMargin(8)
    return fmt


def polish_answer(document: QtGui.QTextDocument, frame: QtGui.QTextFrame, start: int, palette: QtGui.QPalette) -> None:
    """Finishes Markdown rendered into ``frame`` from ``start`` on: code and tables.

    Qt's Markdown importer asks for the system's fixed font by family name only; that name does not
    resolve to a fixed-pitch font everywhere, so the resolved family is set explicitly on code spans
    and code blocks. Each run of code-block lines moves into a padded frame of its own, and wraps
    instead of widening the whole view.
    """
    font = fixed_font()
    code = QtGui.QTextCharFormat()
    code.setFontFamilies([QtGui.QFontInfo(font).family(), *font.families()])
    code.setFontFixedPitch(True)
    inline = QtGui.QTextCharFormat(code)
    inline.setBackground(code_background(palette))
    collapsed = QtGui.QTextBlockFormat()
    collapsed.setLineHeight(0, QtGui.QTextBlockFormat.LineHeightTypes.FixedHeight.value)
    border = mix(palette.color(_ROLE.Base), palette.color(_ROLE.Text), 0.3)
    for child in frame.childFrames():
        if isinstance(child, QtGui.QTextTable):
            table_format = child.format()
            table_format.setCellPadding(6)
            table_format.setCellSpacing(0)
            table_format.setBorder(1)
            table_format.setBorderBrush(border)
            table_format.setBorderCollapse(True)
            table_format.setBottomMargin(8)
            child.setFormat(table_format)
            _collapse_empty_block_after(document, child, collapsed)
    runs: list[list[int]] = []
    previous_was_code = False
    block = document.findBlock(start)
    while block.isValid() and block.position() < frame.lastPosition():
        block_format = block.blockFormat()
        cursor = QtGui.QTextCursor(block)
        fence = block_format.hasProperty(QtGui.QTextFormat.Property.BlockCodeFence)
        is_code = fence or block_format.nonBreakableLines()
        block_end = block.position() + block.length() - 1
        if is_code:
            block_format.setNonBreakableLines(False)
            cursor.setBlockFormat(block_format)
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.EndOfBlock, QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(code)
            if previous_was_code:
                runs[-1][1] = block_end
            else:
                runs.append([block.position(), block_end])
        else:
            for part in block.textFormats():
                if part.format.fontFixedPitch():
                    span_start = block.position() + part.start
                    cursor.setPosition(span_start)
                    cursor.setPosition(span_start + part.length, QtGui.QTextCursor.MoveMode.KeepAnchor)
                    cursor.mergeCharFormat(inline)
        previous_was_code = is_code
        block = block.next()
    for run_start, run_end in reversed(runs):
        cursor = QtGui.QTextCursor(document)
        cursor.setPosition(run_start)
        cursor.setPosition(run_end, QtGui.QTextCursor.MoveMode.KeepAnchor)
        _collapse_empty_block_after(document, cursor.insertFrame(code_frame_format(palette)), collapsed)


def _collapse_empty_block_after(
    document: QtGui.QTextDocument, frame: QtGui.QTextFrame, collapsed: QtGui.QTextBlockFormat
) -> None:
    """Qt puts an empty paragraph after a frame or table; it should take no room."""
    cursor = QtGui.QTextCursor(document)
    cursor.setPosition(frame.lastPosition() + 1)
    if not cursor.block().text():
        cursor.setBlockFormat(collapsed)


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


def style_sheet(palette: QtGui.QPalette) -> str:
    """The window's style sheet, with colours taken from ``palette``."""
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
    #chatHeader {{ background: {base.name()}; border-bottom: 1px solid {border}; }}
    #chatTitle {{ font-size: 12pt; font-weight: 600; }}
    #composer {{ background: {base.name()}; border: 1px solid {border}; border-radius: 10px; }}
    #composerEdit {{ background: transparent; }}
    #welcomeTitle {{ font-size: 20pt; font-weight: 600; }}
    #welcomeSubtitle, #mutedLabel {{ color: {muted}; }}
    #sectionTitle {{ font-size: 11pt; font-weight: 600; }}
    #pageTitle {{ font-size: 16pt; font-weight: 600; }}
    #findModelsPage, #welcomeContent {{ background: {base.name()}; }}
    #welcomeScroll {{ background: {base.name()}; border: none; }}
    #modelCard {{ background: {base.name()}; border: 1px solid {border}; border-radius: 10px; }}
    #modelCardName {{ font-weight: 600; }}
    #fitBadge {{ border-radius: 8px; padding: 1px 8px; font-size: 8pt; font-weight: 600; }}
    {_badge_rules(palette)}
    #downloadModelButton {{ background: {base.name()}; color: {highlight.name()}; border: 1px solid {highlight.name()};
        border-radius: 8px; padding: 5px 12px; font-weight: 600; }}
    #downloadModelButton:pressed {{ background: {selected}; }}
    #downloadModelButton:disabled {{ color: {muted}; border-color: {border}; }}
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
    #startButton {{ padding: 10px 18px; font-size: 11pt; }}
    #startButton:pressed, #sendButton:pressed {{ background: {pressed}; }}
    #startButton:disabled, #sendButton:disabled {{ background: {disabled}; color: {muted}; }}
    #stopButton, #newChatButton {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 14px;
        background: {base.name()}; }}
    #stopButton:disabled {{ color: {muted}; }}
    #stopButton:pressed, #newChatButton:pressed {{ background: {hover}; }}
    #modelStatus {{ color: {muted}; }}
    #modelsPage {{ background: {base.name()}; }}
    #modelTable {{ border: 1px solid {border}; border-radius: 8px; background: {base.name()}; }}
    #pageButton, #modelButton {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 14px;
        background: {base.name()}; }}
    #pageButton:pressed, #modelButton:pressed {{ background: {hover}; }}
    #pageButton:checked {{ background: {selected}; border-color: {mix(base, highlight, 0.45).name()}; }}
    #modelButton:disabled {{ color: {muted}; }}
    #useModelButton {{ background: {highlight.name()}; color: {on_highlight}; border: none; border-radius: 8px;
        padding: 6px 16px; font-weight: 600; }}
    #useModelButton:pressed {{ background: {pressed}; }}
    #useModelButton:disabled {{ background: {disabled}; color: {muted}; }}
    #errorLabel {{ color: {warning_text(palette).name()}; }}
    #banner[kind="error"] {{ background: {mix(base, QtGui.QColor(214, 48, 49), 0.12).name()};
        border: 1px solid {mix(base, QtGui.QColor(214, 48, 49), 0.45).name()}; border-radius: 8px; }}
    #banner[kind="info"] {{ background: {mix(base, highlight, 0.10).name()};
        border: 1px solid {mix(base, highlight, 0.40).name()}; border-radius: 8px; }}
    """
