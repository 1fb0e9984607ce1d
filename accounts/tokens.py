"""API token keys: how they are made and hashed.

A key is ``ss_`` followed by 43 URL-safe base64 characters (256 random
bits). Such a key cannot be guessed, so a plain SHA-256 hash is enough to
store it; a slow password hash would cost time on every API request.
"""

import hashlib
import secrets

KEY_PREFIX = "ss_"
KEY_BYTES = 32
# Characters of the key kept in the clear, so that members can tell their
# tokens apart: the ``ss_`` prefix and the first five random characters.
SHOWN_PREFIX_LENGTH = 8


def generate_key() -> str:
    """Return a new random API key."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    """Return the hex SHA-256 hash of ``key``, as stored in ``ApiToken.key_hash``."""
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    """Return the start of ``key`` that may be shown again after creation."""
    return key[:SHOWN_PREFIX_LENGTH]
