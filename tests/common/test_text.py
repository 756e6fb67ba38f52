"""`inert`: every character a terminal acts on shows as its escape; every printable character stays."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from seqtui.common.text import BIDI_CONTROLS, inert

OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"


def test_escape_sequences_show_as_their_escapes():
    assert inert(OSC8) == "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"
    assert inert("\x1b[2J\x1b[31mred\x1b[0m") == "\\x1b[2J\\x1b[31mred\\x1b[0m"
    assert inert("\x9b2J\x9d8;;x\x07") == "\\x9b2J\\x9d8;;x\\x07"  # 8-bit CSI, OSC, BEL
    assert inert("a\x7fb\x00c\rd\x08") == "a\\x7fb\\x00c\\x0dd\\x08"


def test_bidi_controls_and_lone_surrogates_show_as_their_escapes():
    assert inert("abc\u202edcba\u202c") == "abc\\u202edcba\\u202c"
    assert inert("\u2066x\u2069\u200f\u061c") == "\\u2066x\\u2069\\u200f\\u061c"
    assert inert("name\udcff.csv") == "name\\udcff.csv"  # a file name in another encoding
    assert all(inert(c) == f"\\u{ord(c):04x}" for c in BIDI_CONTROLS)


def test_line_breaks_stay_unless_the_caller_wants_one_line():
    assert inert("one\n\ttwo") == "one\n\ttwo"
    assert inert("one\n\ttwo", keep="") == "one\\x0a\\x09two"
    assert inert("one\n\ttwo", keep="\n") == "one\n\\x09two"


def test_korean_and_every_printable_character_stay():
    text = "긍정 리뷰: 정말 좋았어요 😀 café naïve ½ [bold]x[/bold] \u00a0\u3000"
    assert inert(text) == text


@given(st.text())
def test_nothing_a_terminal_acts_on_is_left_and_it_is_idempotent(text):
    shown = inert(text, keep="")
    assert all(
        unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") and c not in BIDI_CONTROLS for c in shown
    )
    assert inert(shown, keep="") == shown


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text):
    assert inert(text) == text
