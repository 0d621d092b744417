"""Request bodies are capped before they are read: an upload beyond the attachment limit is refused with 413 and
nothing of it is written to disk; a body without a length is refused; gunicorn bounds request lines and headers."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.core.served import request

UPLOAD = "/assessments/1/questionnaire/upload/"  # a real upload form (its view needs sign-in; the body comes first)
TOKEN = "a" * 32  # a CSRF cookie and token that agree: Django's CSRF check reads the form, spooling its file


class SpoolWatch(threading.Thread):
    """Records the largest number of bytes seen in `folder`'s files while it runs."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder, self.largest, self.running = folder, 0, True

    def run(self) -> None:
        while self.running:
            total = 0
            for root, _dirs, files in os.walk(self.folder):
                for name in files:
                    try:
                        total += os.stat(os.path.join(root, name)).st_size
                    except FileNotFoundError:
                        pass
            self.largest = max(self.largest, total)
            time.sleep(0.005)


def _stream(port: int, head: bytes, chunks) -> tuple[int, int]:
    """Send `head`, then the body chunk by chunk until the server answers; return (status, body bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered (and read no further)
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    return int(answer.split(b" ", 2)[1]), sent


def _zeros(total: int, size: int = 1024 * 1024):
    for start in range(0, total, size):
        yield bytes(min(size, total - start))


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    return folder


def test_an_upload_beyond_the_limit_is_refused_before_it_is_spooled(served, spool):
    port = served(TMPDIR=str(spool))
    size = 300 * 1024 * 1024
    boundary = "arrival-boundary"
    preamble = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{TOKEN}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
    closing = f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST {UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(preamble) + size + len(closing)}\r\nCookie: csrftoken={TOKEN}\r\n\r\n").encode()
    watch = SpoolWatch(spool)
    watch.start()
    status, sent = _stream(port, head, [preamble, *_zeros(size), closing])
    watch.running = False
    watch.join()
    assert status == 413
    assert watch.largest == 0, f"{watch.largest} bytes were written to the temporary folder"
    assert sent < size


def test_a_body_without_a_length_is_refused(served, spool):
    port = served(TMPDIR=str(spool))
    head = (f"POST {UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            f"Transfer-Encoding: chunked\r\nCookie: csrftoken={TOKEN}\r\n\r\n").encode()
    chunk = bytes(1024 * 1024)
    chunks = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(300))
    watch = SpoolWatch(spool)
    watch.start()
    status, sent = _stream(port, head, chunks)
    watch.running = False
    watch.join()
    assert status == 411
    assert watch.largest == 0
    assert sent < 300 * len(chunk)


def test_overlong_request_lines_and_headers_are_refused(served):
    port = served()
    assert request(port, "GET", "/?" + "q" * 5000).status == 414
    assert request(port, "GET", "/", X_Long="v" * 9000).status == 431
    assert request(port, "GET", "/", **{f"X-Header-{n}": "v" for n in range(120)}).status == 431


def test_the_api_says_too_large_as_a_problem(client, settings):
    settings.ARRIVAL_REQUEST_MAX_BYTES = 1000
    response = client.post("/api/v1/engagement/comments", data=b"x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Request too large"


def test_a_page_says_too_large_in_the_reader_language(client, settings):
    settings.ARRIVAL_REQUEST_MAX_BYTES = 1000
    response = client.post(UPLOAD, data={"note": "x" * 2000}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 413
    assert 'lang="fr"' in response.content.decode()
