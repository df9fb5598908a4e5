"""A self-signed certificate for the farm's https ports, made at start-up with the ``openssl`` CLI.

Real portals redirect http → https; some have certificates Python rejects. The farm's certificate is
self-signed for 127.0.0.1/localhost, so crawlers must not verify it (Scrapy does not by default).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path


def self_signed_context(directory: Path | None = None) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        raise RuntimeError("the farm's https portals need the openssl command-line tool")
    folder = Path(directory or tempfile.mkdtemp(prefix="nianbao-farm-tls-"))
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj",
             "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
