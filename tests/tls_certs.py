"""Throw-away TLS material for tests, made with the `openssl` CLI: a CA, a server certificate for
127.0.0.1/localhost signed by it, and a client certificate (key + cert) signed by it.

By default the certificates carry the extensions Python 3.13's `VERIFY_X509_STRICT` asks for (CA
key usage, subject/authority key identifiers). `strict=False` leaves them out, like the
certificates MySQL generates by itself (`auto_generate_certs`) and many hand-made ones: OpenSSL and
Kodi's client accept those, Python 3.13's default context does not.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

CA_EXTENSIONS = """\
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

CLIENT_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


LAX_CA_EXTENSIONS = "basicConstraints = CA:TRUE\n"
LAX_LEAF_EXTENSIONS = "basicConstraints = CA:FALSE\n"


@dataclass(frozen=True)
class Certificates:
    """Paths (PEM) of one throw-away CA and what it signed."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str) -> None:
    done = subprocess.run(("openssl",) + args, capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], done.stderr.strip()))


def _signed(folder: Path, name: str, subject: str, extensions: str, ca: Path, ca_key: Path) -> None:
    key, request, ext = folder / (name + "-key.pem"), folder / (name + ".csr"), folder / (name + ".ext")
    ext.write_text(extensions)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(request), "-subj", subject)
    _openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
             "-days", "2", "-sha256", "-extfile", str(ext), "-out", str(folder / (name + ".pem")))


def make_certificates(folder: Path, name: str = "EasyTV test CA", strict: bool = True) -> Certificates:
    """Create a CA `name` and its server and client certificates in `folder` (created if
    needed); valid for 2 days; `strict=False`: without the extensions strict X.509 verification
    asks for. Raises `RuntimeError` with openssl's message when it fails."""
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key, ca_ext = folder / "ca.pem", folder / "ca-key.pem", folder / "ca.ext"
    ca_ext.write_text("[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n[dn]\nCN = %s\n[ext]\n%s"
                      % (name, CA_EXTENSIONS if strict else LAX_CA_EXTENSIONS))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
             "-days", "2", "-sha256", "-config", str(ca_ext))
    _signed(folder, "server", "/CN=127.0.0.1", SERVER_EXTENSIONS if strict else LAX_LEAF_EXTENSIONS, ca, ca_key)
    _signed(folder, "client", "/CN=kodi-client", CLIENT_EXTENSIONS if strict else LAX_LEAF_EXTENSIONS, ca, ca_key)
    for path in folder.glob("*-key.pem"):
        path.chmod(0o600)
    return Certificates(ca, folder / "server.pem", folder / "server-key.pem", folder / "client.pem",
                        folder / "client-key.pem")
