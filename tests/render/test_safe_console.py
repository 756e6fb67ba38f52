"""The console every command prints through: data's escape sequences show as text, Rich's own colours,
links and cursor moves still work. Run against the installed Rich: an upgrade that changes how
`Console.render` is used fails here."""

from __future__ import annotations

import io
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from seqtui.common.text import BIDI_CONTROLS
from seqtui.render.safe_console import SafeConsole

OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J"
RED = "\x1b[31m"


def terminal(width: int = 100) -> tuple[SafeConsole, io.StringIO]:
    buf = io.StringIO()
    return SafeConsole(file=buf, force_terminal=True, color_system="truecolor", width=width), buf


def test_escape_sequences_in_text_tables_and_markup_strings_show_as_text():
    console, buf = terminal()
    table = Table("label", "p")
    table.add_row(OSC8, "0.9")
    table.add_row(f"{CLEAR}{RED}부정\u202e", "0.1")
    console.print(table)
    console.print(Text(f"note: {CLEAR}", style="bold"))
    console.print(f"plain {RED}string", highlight=False)
    console.log(f"logged {OSC8}")
    shown = buf.getvalue()
    for raw in ("\x1b]8;;http", CLEAR, RED, "\u202e"):
        assert raw not in shown
    assert "\\x1b]8;;http://evil.example" in shown and "\\x1b[2J" in shown and "\\u202e" in shown
    assert "부정" in shown


def test_rich_styles_and_links_still_render():
    console, buf = terminal()
    console.print(Text("ok", style="bold red"))
    console.print("[link=https://seqtui.example]docs[/link]")
    shown = buf.getvalue()
    assert "\x1b[1;31mok" in shown  # Rich's own colour codes are made from styles, after the check
    assert "\x1b]8;id=" in shown and "https://seqtui.example" in shown


def test_a_plain_console_would_pass_them_raw():
    """The reason for SafeConsole: Rich itself forwards an escape character inside text."""
    buf = io.StringIO()
    Console(file=buf, force_terminal=True).print(Text(CLEAR))
    assert CLEAR in buf.getvalue()


def test_a_live_view_keeps_its_cursor_moves_and_makes_descriptions_inert():
    console, buf = terminal()
    with Progress(console=console, auto_refresh=False) as progress:
        task = progress.add_task(f"epoch {CLEAR}", total=2)
        progress.advance(task)
        progress.refresh()
        time.sleep(0.01)
    shown = buf.getvalue()
    assert "\x1b[2K" in shown or "\x1b[1A" in shown  # Rich's control segments: the live view redraws
    # Rich measured the description before it became inert: the column shows its start, never the raw code
    assert CLEAR not in shown and "epoch \\x1" in shown


def test_newlines_tabs_and_korean_are_unchanged():
    console, buf = terminal()
    console.print("첫 줄\n둘째\t줄", highlight=False)
    assert buf.getvalue() == "첫 줄\n둘째    줄\n"


def test_every_console_of_the_commands_is_a_safe_one():
    from seqtui.cli import common

    assert isinstance(common.out, SafeConsole) and isinstance(common.err, SafeConsole)
    assert common.err.stderr and not common.out.stderr


def test_bidi_controls_never_reach_the_terminal():
    console, buf = terminal()
    console.print("".join(f"x{c}" for c in BIDI_CONTROLS))
    assert not set(buf.getvalue()) & set(BIDI_CONTROLS)


def test_the_width_follows_columns_at_each_print_not_when_the_console_was_made(monkeypatch):
    """The CLI's consoles are made at import: a COLUMNS set then must not fix the width for good."""
    from seqtui.render.safe_console import SafeConsole

    monkeypatch.setenv("COLUMNS", "80")
    console = SafeConsole(file=io.StringIO())
    monkeypatch.setenv("COLUMNS", "200")
    assert console.width == 200
