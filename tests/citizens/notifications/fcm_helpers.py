"""A fake Firebase Cloud Messaging on 127.0.0.1 and a service account to talk to it.

One threaded HTTP server plays both of Google's parts: the OAuth 2 token
endpoint (the service account key's token_uri), which checks the signed JWT
assertion with the key's public half, and the FCM HTTP v1 messages:send
endpoint, which records what it is sent and answers what the test says.
"""

import json
import threading
from collections import deque
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt

PROJECT = "mycity-test"
CLIENT_EMAIL = f"push@{PROJECT}.iam.gserviceaccount.com"
SEND_PATH = f"/v1/projects/{PROJECT}/messages:send"


@cache
def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_key(token_uri: str) -> tuple[str, bytes]:
    """(the JSON key as FCM_CREDENTIALS takes it, the PEM public key that checks its JWTs)."""
    private = _private_key()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "test-key-1",
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    return json.dumps(key), public


@dataclass
class Sent:
    path: str
    headers: dict
    body: dict

    @property
    def message(self) -> dict:
        return self.body["message"]


def error_body(status: int, fcm_status: str, code: str = "", message: str = "") -> dict:
    """An FCM v1 error answer, as Google shapes it."""
    details = []
    if code:
        details.append(
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
        )
    return {"error": {"code": status, "message": message, "status": fcm_status, "details": details}}


class FakeFcm:
    """FCM and Google's token endpoint on 127.0.0.1.

    `answers` is a queue of (status, body, headers) for the next sends; when
    it is empty a send is accepted (200 with the message's name).
    """

    ACCESS_TOKEN = "ya29.test-access-token"

    def __init__(self):
        self.sent: list[Sent] = []
        self.token_requests: list[dict] = []
        self.answers: deque = deque()
        self.public_key: bytes | None = None
        lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == "/token":
                    self.token(raw)
                elif self.path == SEND_PATH:
                    self.send(raw)
                else:
                    self.reply(404, {"error": {"code": 404, "status": "NOT_FOUND"}})

            def token(self, raw):
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                # The signature is checked; the audience is Google's own
                # token endpoint whatever token_uri says (google-auth's choice).
                claims = jwt.decode(form["assertion"], certs=fake.public_key)
                with lock:
                    fake.token_requests.append({"form": form, "claims": claims})
                self.reply(
                    200,
                    {"access_token": fake.ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"},
                )

            def send(self, raw):
                with lock:
                    fake.sent.append(
                        Sent(
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=json.loads(raw),
                        )
                    )
                    answer = fake.answers.popleft() if fake.answers else None
                if answer is None:
                    answer = (200, {"name": f"projects/{PROJECT}/messages/{len(fake.sent)}"}, {})
                status, body, headers = answer
                self.reply(status, body, headers)

            def reply(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def answer(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.answers.append((status, body, headers or {}))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def configure(settings, fake: FakeFcm | None = None) -> None:
    """Point the app channel at `fake` (or, without one, at nothing: the API tests)."""
    origin = fake.origin if fake else "http://127.0.0.1:9"
    key, public = service_account_key(f"{origin}/token")
    if fake:
        fake.public_key = public
    settings.FCM_CREDENTIALS = key
    settings.FCM_PROJECT_ID = PROJECT
    settings.FCM_ENDPOINT = origin
