"""Bot API methods with files: sendPhoto, sendDocument, getFile, and the uploads' storage."""

from __future__ import annotations

import secrets
import struct
from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.messages import MessageMethods
from sandbox.telegram.params import Params
from sandbox.telegram.state import StoredFile


class MediaMethods(MessageMethods):
    """Photos and documents: upload, validation, storage and download metadata."""

    def _store_file(
        self, params: Params, name: str, *, kind: str, mime_type: str | None = None
    ) -> StoredFile:
        if name in params.files:
            data, filename = params.files[name]
        else:
            ref = params.string(name)
            if not ref:
                raise bad_request(f"there is no {kind} in the request")
            if ref.startswith("attach://") and ref[len("attach://") :] in params.files:
                data, filename = params.files[ref[len("attach://") :]]
            elif ref in self._files:
                return self._files[ref]
            else:
                raise bad_request("wrong file identifier/HTTP URL specified")
        if not data:
            raise bad_request("file must be non-empty")
        number = next(self._file_counter)
        unique = secrets.token_hex(8)
        stored = StoredFile(
            file_id=f"{kind}-{number}-{secrets.token_hex(6)}",
            file_unique_id=unique,
            data=data,
            file_path=f"{kind}s/file_{number}_{filename or kind}",
            file_name=filename,
            mime_type=mime_type,
        )
        return stored  # registered in _files once the message is accepted

    async def _api_sendPhoto(self, params: Params) -> dict[str, Any]:
        return self._send_media(params, "photo")

    async def _api_sendDocument(self, params: Params) -> dict[str, Any]:
        return self._send_media(params, "document")

    def _send_media(self, params: Params, kind: str) -> dict[str, Any]:
        chat = self._private_chat(params)
        parse_mode = params.string("parse_mode")
        caption = params.string("caption")
        formatted = self._format(caption, parse_mode, params.obj("caption_entities"), caption=True)
        inline, keyboard, remove = self._reply_markup(params)
        stored_file = self._store_file(params, kind, kind=kind)
        extra: dict[str, Any] = dict(self._reply_to(chat, params))
        if kind == "photo":
            size = _image_size(stored_file.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            stored_file.mime_type = stored_file.mime_type or "image/jpeg"
            extra["photo"] = [
                {
                    "file_id": stored_file.file_id,
                    "file_unique_id": stored_file.file_unique_id,
                    "width": size[0],
                    "height": size[1],
                    "file_size": len(stored_file.data),
                }
            ]
        else:
            document: dict[str, Any] = {
                "file_id": stored_file.file_id,
                "file_unique_id": stored_file.file_unique_id,
                "file_size": len(stored_file.data),
            }
            if stored_file.file_name:
                document["file_name"] = stored_file.file_name
            document["mime_type"] = stored_file.mime_type or _guess_mime(stored_file.file_name)
            extra["document"] = document
        if formatted.text:
            extra["caption"] = formatted.text
            if formatted.entities:
                extra["caption_entities"] = list(formatted.entities)
        if inline:
            extra["reply_markup"] = inline
        return self._store_bot_message(
            chat,
            extra,
            source=caption,
            parse_mode="HTML" if parse_mode and parse_mode.lower() == "html" else None,
            reply_keyboard=keyboard,
            remove_keyboard=remove,
            file=stored_file,
        )

    async def _api_getFile(self, params: Params) -> dict[str, Any]:
        stored = self._files.get(params.string("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }


def _guess_mime(name: str | None) -> str:
    import mimetypes

    guessed = mimetypes.guess_type(name or "")[0]
    return guessed or "application/octet-stream"


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image; None when it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return width, height
            index += 2 + length
    return None
