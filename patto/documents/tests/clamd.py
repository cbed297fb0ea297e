"""A real ClamAV daemon for the tests, started once per run with Patto's test signature database (the
official signatures cannot be downloaded here): it detects the EICAR test file, in plain files and
inside archives. Uploads in tests go through it exactly as in production."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def _ping(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_socket():
    if not os.path.exists(CLAMD):
        pytest.fail(
            "ClamAV's clamd is needed by the upload tests: apt-get install clamav-daemon "
            "(scripts/dev.sh test installs it)."
        )
    home = Path(tempfile.mkdtemp(prefix="patto-clamd-"))  # short: a socket path has ~100 characters
    (home / "db").mkdir()
    (home / "db" / "patto-test.ndb").write_text(f"Patto.Test.EICAR:0:*:{EICAR.hex()}\n")
    sock = home / "clamd.sock"
    lines = [
        f"DatabaseDirectory {home / 'db'}",
        f"LocalSocket {sock}",
        "Foreground yes",
        f"LogFile {home / 'clamd.log'}",
        "StreamMaxLength 30M",
    ]
    if os.geteuid() == 0:
        lines.append("User root")
    (home / "clamd.conf").write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [CLAMD, "-c", str(home / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not _ping(str(sock)):
        if process.poll() is not None or time.monotonic() > deadline:
            log = (home / "clamd.log").read_text() if (home / "clamd.log").exists() else ""
            process.kill()
            pytest.fail(f"clamd did not start:\n{log[-2000:]}")
        time.sleep(0.2)
    yield str(sock)
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    """No test writes into var/uploads; and without the ``antivirus`` fixture, no clamd is configured."""
    settings.PATTO_UPLOAD_ROOT = str(tmp_path / "uploads")
    settings.PATTO_CLAMD_SOCKET = ""
    settings.PATTO_CLAMD_ADDRESS = ""


@pytest.fixture
def antivirus(settings, clamd_socket):
    settings.PATTO_CLAMD_SOCKET = clamd_socket
    return clamd_socket
