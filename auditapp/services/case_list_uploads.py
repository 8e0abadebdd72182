"""An uploaded case list kept on the server between the import steps (map, check, import).

The file is written to the instance folder under a random name; a small JSON file beside it
names the inspection and the user it belongs to, and holds the lead's choices so far (the
mapping). The browser only ever sends the random name: a path from the client is never used,
and a name that is malformed, another user's, another inspection's or older than
``KEEP_SECONDS`` is treated as missing. The upload is deleted after the import; uploads past
the timeout are removed whenever another is stored.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

KEEP_SECONDS = 2 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass
class StoredUpload:
    """One uploaded file: its random name, owner, original file name and the mapping chosen."""

    token: str
    inspection_id: int
    user_id: int
    filename: str
    created: float
    mapping: dict[str, Any] = field(default_factory=dict)
    directory: Path = Path()

    @property
    def data_path(self) -> Path:
        """The uploaded bytes."""
        return self.directory / f"{self.token}.upload"

    @property
    def meta_path(self) -> Path:
        """Owner, file name and mapping, as JSON."""
        return self.directory / f"{self.token}.json"

    def read(self) -> bytes:
        """The file as uploaded."""
        return self.data_path.read_bytes()

    def save(self) -> None:
        """Write owner and mapping (atomically: another request never reads half a file)."""
        meta = {
            "inspection_id": self.inspection_id,
            "user_id": self.user_id,
            "filename": self.filename,
            "created": self.created,
            "mapping": self.mapping,
        }
        partial = self.meta_path.with_suffix(".part")
        partial.write_text(json.dumps(meta), encoding="utf-8")
        partial.replace(self.meta_path)


def _remove_stale(directory: Path, now: float) -> None:
    for old in directory.glob("*"):
        try:
            if old.stat().st_mtime < now - KEEP_SECONDS:
                old.unlink()
        except OSError:  # another worker removed it first
            continue


def store_upload(
    directory: Path, inspection_id: int, user_id: int, data: bytes, filename: str
) -> StoredUpload:
    """Keep the file under a new random name for this user and inspection."""
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    _remove_stale(directory, now)
    upload = StoredUpload(
        token=secrets.token_urlsafe(24),  # 32 characters of [A-Za-z0-9_-]
        inspection_id=inspection_id,
        user_id=user_id,
        filename=PurePath(filename).name[:200] or "case-list.csv",
        created=now,
        directory=directory,
    )
    upload.data_path.write_bytes(data)
    upload.save()
    return upload


def load_upload(
    directory: Path, token: str, inspection_id: int, user_id: int
) -> StoredUpload | None:
    """The user's upload for the inspection, or None (malformed, not theirs, gone, too old)."""
    if not _TOKEN.fullmatch(token):
        return None
    try:
        meta = json.loads((directory / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    upload = StoredUpload(
        token=token,
        inspection_id=int(meta.get("inspection_id", -1)),
        user_id=int(meta.get("user_id", -1)),
        filename=str(meta.get("filename", "")),
        created=float(meta.get("created", 0)),
        mapping=dict(meta.get("mapping") or {}),
        directory=directory,
    )
    if (upload.inspection_id, upload.user_id) != (inspection_id, user_id):
        return None
    if upload.created < time.time() - KEEP_SECONDS or not upload.data_path.exists():
        discard_upload(upload)
        return None
    return upload


def discard_upload(upload: StoredUpload) -> None:
    """Delete the file and its notes (after the import, or when it has expired)."""
    for path in (upload.data_path, upload.meta_path):
        path.unlink(missing_ok=True)
