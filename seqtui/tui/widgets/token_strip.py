"""A text as the model sees it: its tokens and ids, unknown words, what maxlen cut off, and the padding."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from seqtui.datasets.tokenizer import TokenView


@dataclass(frozen=True)
class TokenInfo:
    tokens: list[TokenView]
    cut: int
    """Tokens dropped because the text is longer than maxlen."""
    maxlen: int
    padding: str
    truncating: str

    @property
    def pad(self) -> int:
        return max(0, self.maxlen - len(self.tokens))

    @property
    def unknown(self) -> int:
        return sum(1 for t in self.tokens if not t.known)


def token_text(info: TokenInfo) -> Text:
    """Rich text of the model's view; unknown words carry a '?' and reverse video, not only a colour."""
    out = Text()
    pad = Text(f"[pad 0 x{info.pad}] ", style="dim") if info.pad else Text()
    if info.cut and info.truncating == "pre":
        out.append(f"[cut {info.cut} at the front] ", style="bold")
    if info.padding == "pre":
        out.append_text(pad)
    for tok in info.tokens:
        if tok.known:
            out.append(tok.text)
            out.append(f":{tok.id}", style="dim")
        else:
            out.append(f"?{tok.text}", style="reverse")
            out.append(f":{tok.id}(oov)", style="dim")
        out.append(" ")
    if info.padding == "post":
        out.append_text(pad)
    if info.cut and info.truncating == "post":
        out.append(f"[cut {info.cut} at the end]", style="bold")
    if not info.tokens:
        out.append("no tokens left after cleaning (standardising, stopwords): the model sees padding only")
    summary = f"\n{len(info.tokens)} of maxlen {info.maxlen} tokens"
    if info.unknown:
        summary += f", {info.unknown} unknown (?word -> OOV id)"
    if info.pad:
        summary += f", {info.pad} padding zeros ({info.padding})"
    if info.cut:
        summary += f", {info.cut} cut ({info.truncating})"
    out.append(summary, style="italic")
    return out


class TokenStrip(Static):
    """Shows `token_text` for the sentence being typed."""

    DEFAULT_CSS = """
    TokenStrip { height: auto; max-height: 6; padding: 0 1; }
    """

    def show(self, info: TokenInfo | None) -> None:
        self.update(token_text(info) if info else Text("type a sentence to see its tokens", style="italic"))
