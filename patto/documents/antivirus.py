"""Antivirus scanning through ClamAV's daemon (clamd), over its documented INSTREAM protocol: the file
is streamed in length-prefixed chunks and clamd answers ``stream: OK`` or ``stream: <signature> FOUND``.

clamd is reached on a Unix socket (PATTO_CLAMD_SOCKET) or TCP (PATTO_CLAMD_ADDRESS, "host:port").
Production refuses to start without one of them; when clamd does not answer, uploads are refused
(fail closed). In development without clamd, files are stored unscanned and marked so."""

import logging
import socket
import struct
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


class AntivirusUnavailable(Exception):
    """clamd could not be reached or gave no usable answer."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    engine: str  # e.g. "ClamAV 1.4.6/27000": what vouched for the file; "" when not scanned
    signature: str = ""


def is_configured():
    return bool(settings.PATTO_CLAMD_SOCKET or settings.PATTO_CLAMD_ADDRESS)


def _connect(timeout=None):
    timeout = timeout or settings.PATTO_CLAMD_TIMEOUT
    if settings.PATTO_CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.PATTO_CLAMD_SOCKET)
        return sock
    host, _colon, port = settings.PATTO_CLAMD_ADDRESS.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def _reply(sock):
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def _ask(command, payload=None):
    try:
        with _connect() as sock:
            sock.sendall(b"z" + command + b"\0")
            if payload is not None:
                for start in range(0, len(payload), CHUNK):
                    chunk = payload[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            return _reply(sock)
    except (OSError, ValueError) as exc:
        raise AntivirusUnavailable(str(exc)) from exc


def scan(data):
    """The verdict on ``data`` (bytes). Raises AntivirusUnavailable when clamd cannot give one."""
    if not is_configured():
        return Verdict(clean=True, engine="")
    answer = _ask(b"INSTREAM", data)
    if answer.endswith(" FOUND"):
        signature = answer.removeprefix("stream:").removesuffix(" FOUND").strip()
        logger.warning("upload refused by the antivirus: %s", signature)
        return Verdict(clean=False, engine=version(), signature=signature)
    if answer != "stream: OK":
        raise AntivirusUnavailable(answer[:200])
    return Verdict(clean=True, engine=version())


def health():
    """For /salute/: "ok" if clamd answers PING within 2 s, "down" if not, "not configured" without clamd."""
    if not is_configured():
        return "not configured"
    try:
        with _connect(timeout=2) as sock:
            sock.sendall(b"zPING\0")
            return "ok" if _reply(sock) == "PONG" else "down"
    except (OSError, ValueError):
        return "down"


def version():
    """clamd's engine and signature version, e.g. "ClamAV 1.4.6/27000/Mon Nov 30 08:00:00 2026"."""
    return _ask(b"VERSION")[:120]
