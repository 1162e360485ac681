"""The content-addressed media store: pictures kept once, under their sha256.

A picture lives at ``ROOT/ab/<sha256><suffix>`` (``ab``: the hash's first byte, so 256
folders; each new folder costs a slow ``mkdir`` on some file systems, a second level would
multiply them). It is decoded before it is stored, so a corrupt, truncated or empty picture is
reported (status ``corrupt`` with the error), never stored as good. Writes are atomic (a
hard link, or a temporary file renamed into place), so a process killed mid-write leaves no
half-written picture under a content address.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests
from PIL import Image

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic")
_FORMAT_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


@dataclass(frozen=True, slots=True)
class StoredPicture:
    """The outcome of storing one picture: where it is, what it is, or why it is not."""

    status: str  # ok | missing | corrupt
    path: str | None = None
    sha256: str | None = None
    bytes: int | None = None
    width: int | None = None
    height: int | None = None
    error: str | None = None


def decode_picture(data: bytes) -> tuple[int, int, str]:
    """Decode a picture fully; returns (width, height, format) or raises OSError/ValueError.

    JPEGs are decoded at 1/8 scale (libjpeg's DCT scaling): every byte is still read, so a
    truncated file fails, at a fraction of the cost of a full decode.
    """
    if not data:
        raise ValueError("empty file")
    with Image.open(io.BytesIO(data)) as image:
        width, height, fmt = image.width, image.height, image.format or ""
        if fmt == "JPEG":
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()
    return width, height, fmt


class MediaStore:
    """A local folder of pictures addressed by their sha256."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self._folders: set[Path] = set()

    def path_for(self, sha256: str, suffix: str) -> Path:
        """Where the picture with this hash lives."""
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put_file(self, source: Path) -> StoredPicture:
        """Verify and store a picture file (hard-linked when the file system allows)."""
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            return StoredPicture("missing", error=f"no picture file {source}")
        except OSError as exc:
            return StoredPicture("corrupt", error=f"cannot read {source}: {exc}")
        return self._put(data, source.suffix.lower(), source)

    def put_bytes(self, data: bytes, suffix: str = ".jpg") -> StoredPicture:
        """Verify and store downloaded picture bytes."""
        return self._put(data, suffix, None)

    def _put(self, data: bytes, suffix: str, source: Path | None) -> StoredPicture:
        digest = hashlib.sha256(data).hexdigest()
        try:
            width, height, fmt = decode_picture(data)
        except _DECODE_ERRORS as exc:
            return StoredPicture(
                "corrupt", sha256=digest, bytes=len(data), error=f"undecodable picture: {exc}"
            )
        target = self.path_for(digest, _FORMAT_SUFFIX.get(fmt, suffix or ".jpg"))
        if not target.exists():
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(target.parent)
            try:
                self._write(target, data, source)
            except FileNotFoundError:  # the folder was removed since: make it again
                target.parent.mkdir(parents=True, exist_ok=True)
                self._write(target, data, source)
        return StoredPicture("ok", str(target), digest, len(data), width, height)

    @staticmethod
    def _write(target: Path, data: bytes, source: Path | None) -> None:
        if source is not None:
            try:
                os.link(source, target)
                return
            except FileExistsError:
                return
            except OSError:
                pass  # another file system, or links not allowed: copy instead
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@dataclass(frozen=True, slots=True)
class DownloadPolicy:
    """How pictures are fetched: parallel requests, attempts per picture, time-out, back-off."""

    concurrency: int = 4
    attempts: int = 3
    timeout_s: float = 30.0
    backoff_s: float = 0.5


def _suffix_of(url: str, content_type: str | None) -> str:
    if content_type and "/" in content_type:
        kind = content_type.split(";")[0].split("/")[-1].strip().lower()
        return ".jpg" if kind in ("jpeg", "jpg") else f".{kind}"
    path = url.split("?")[0].lower()
    return next((s for s in PICTURE_SUFFIXES if path.endswith(s)), ".jpg")


def download_picture(
    store: MediaStore, url: str, session: requests.Session, policy: DownloadPolicy
) -> StoredPicture:
    """Fetch one picture with retries; a 403/404 is 'missing', a bad body 'corrupt'."""
    outcome = StoredPicture("missing", error=f"not fetched: {url}")
    for attempt in range(1, policy.attempts + 1):
        try:
            response = session.get(url, timeout=policy.timeout_s)
        except requests.RequestException as exc:
            outcome = StoredPicture("missing", error=f"download failed: {exc}")
        else:
            if response.status_code in (403, 404, 410):
                return StoredPicture("missing", error=f"HTTP {response.status_code} for {url}")
            if response.status_code != 200:
                outcome = StoredPicture("missing", error=f"HTTP {response.status_code} for {url}")
            else:
                data = response.content
                expected = response.headers.get("Content-Length")
                if expected and expected.isdigit() and int(expected) != len(data):
                    outcome = StoredPicture(
                        "corrupt",
                        bytes=len(data),
                        error=f"truncated download: {len(data)} of {expected} bytes",
                    )
                else:
                    outcome = store.put_bytes(
                        data, _suffix_of(url, response.headers.get("Content-Type"))
                    )
                    if outcome.status == "ok":
                        return outcome
        if attempt < policy.attempts:
            time.sleep(policy.backoff_s * 2 ** (attempt - 1))
    logger.warning("picture %s: %s", url, outcome.error)
    return outcome


def download_pictures(
    store: MediaStore,
    urls: Mapping[K, str],
    *,
    policy: DownloadPolicy,
    session: requests.Session | None = None,
    on_done: Callable[[K, StoredPicture], None] | None = None,
) -> dict[K, StoredPicture]:
    """Fetch many pictures, at most ``policy.concurrency`` at a time; keyed like ``urls``."""
    own_session = session is None
    http = session or requests.Session()
    results: dict[K, StoredPicture] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, policy.concurrency)) as pool:
            futures = {
                key: pool.submit(download_picture, store, url, http, policy)
                for key, url in urls.items()
            }
            for key, future in futures.items():
                results[key] = future.result()
                if on_done is not None:
                    on_done(key, results[key])
    finally:
        if own_session:
            http.close()
    return results


def find_picture(base: str, suffixes: Iterable[str] = PICTURE_SUFFIXES) -> Path | None:
    """The picture file ``base + suffix`` that exists, if any (instaloader's naming)."""
    for suffix in suffixes:
        candidate = Path(base + suffix)
        if candidate.is_file():
            return candidate
    return None
