"""Print a new VAPID key pair for web push, as environment lines."""

import base64

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate() -> tuple[str, str]:
    """(public, private): the browser's applicationServerKey and the key pywebpush signs with.

    Public: the uncompressed P-256 point (65 bytes), base64url. Private: the
    raw 32-byte scalar, base64url, which py_vapid's Vapid.from_string reads.
    """
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)


class Command(BaseCommand):
    help = (
        "Generate a VAPID key pair for web push and print VAPID_PUBLIC_KEY and "
        "VAPID_PRIVATE_KEY lines for the environment. Keep the private key secret; "
        "changing the pair later makes every browser subscribe again."
    )

    def handle(self, *args, **options):
        public, private = generate()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stderr.write(
            "Also set VAPID_SUBJECT to a contact for the push services: "
            "mailto:someone@your-city.example or an https:// address."
        )
