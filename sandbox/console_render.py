"""How the console prints a bot message: entities as ANSI styles on a terminal (plain through a
pipe), inline keyboards as numbered buttons, files saved to a folder whose path is printed."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sandbox.telegram import BotMessage

# How the console announces a file the bot sent, once saved (French agreement per kind).
_SAVED = {"photo": "photo enregistrée dans", "document": "document enregistré dans"}

_ANSI = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "7",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
    "url": "4;34",
    "blockquote": "2",
    "expandable_blockquote": "2",
}


def render_text(text: str, entities: tuple[dict[str, Any], ...], *, color: bool) -> str:
    """Plain text with ANSI styles for the entities (or links spelled out when plain)."""
    # Map UTF-16 offsets to string indexes.
    starts: dict[int, list[dict[str, Any]]] = {}
    ends: dict[int, list[dict[str, Any]]] = {}
    for entity in entities:
        starts.setdefault(entity["offset"], []).append(entity)
        ends.setdefault(entity["offset"] + entity["length"], []).append(entity)
    out: list[str] = []
    active: list[dict[str, Any]] = []
    position = 0

    def boundary(at: int) -> None:
        changed = False
        for entity in ends.get(at, ()):
            if entity in active:
                active.remove(entity)
                changed = True
                if entity["type"] == "text_link":
                    out.append(("\x1b[0m" if color else "") + f" <{entity['url']}>")
        for entity in starts.get(at, ()):
            active.append(entity)
            changed = True
        if color and changed:
            codes = [_ANSI[e["type"]] for e in active if e["type"] in _ANSI]
            out.append("\x1b[0m" + (f"\x1b[{';'.join(codes)}m" if codes else ""))

    for char in text:
        boundary(position)
        out.append(char)
        position += 2 if ord(char) > 0xFFFF else 1
    boundary(position)
    if color and entities:
        out.append("\x1b[0m")
    return "".join(out)


def render_message(
    message: BotMessage, *, color: bool, first_number: int = 1, files_dir: Path | None = None
) -> str:
    """A bot message as the console prints it (buttons numbered from ``first_number``)."""
    label = f"bot (message {message.message_id} modifié)" if message.edited else "bot"
    head = f"\x1b[1;32m{label} :\x1b[0m" if color else f"{label} :"
    lines = [head]
    if message.kind == "location" and message.location:
        lines.append(f"📍 {message.location[0]:.5f}, {message.location[1]:.5f}")
    if message.kind in ("photo", "document"):
        data = message.photo if message.kind == "photo" else message.document
        saved = _save_file(message, data, files_dir) if data is not None else None
        lines.append(f"[{_SAVED[message.kind]} {saved}]" if saved else f"[{message.kind}]")
    if message.text:
        lines.extend(render_text(message.text, message.entities, color=color).splitlines())
    number = first_number
    for row in message.buttons:
        cells = []
        for button in row:
            target = f" → {button.url}" if button.url else ""
            cells.append(f"[{number}] {button.text}{target}")
            number += 1
        lines.append("   " + "   ".join(cells))
    if message.reply_keyboard:
        for row in message.reply_keyboard:
            cells = []
            for button in row:
                hint = " (:loc LAT LON)" if button.get("request_location") else ""
                cells.append(f"⌨ {button['text']}{hint}")
            lines.append("   " + "   ".join(cells))
    if message.remove_keyboard:
        lines.append("   (clavier retiré)")
    return "\n".join(lines)


def _save_file(message: BotMessage, data: bytes, files_dir: Path | None) -> Path:
    folder = files_dir or Path(tempfile.gettempdir()) / "ft-bot-console"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ""
    if message.kind == "photo":
        suffix = ".png" if data.startswith(b"\x89PNG") else ".jpg"
    name = message.file_name or f"{message.kind}-{message.chat_id}-{message.message_id}{suffix}"
    path = folder / Path(name).name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the console
