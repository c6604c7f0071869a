"""Personal data in client reports: shown only where the shop's params allow it.

For Shopify exports ``customer_key`` *is* the e-mail address, so hiding the ``email`` column alone
is not enough: keys are replaced by stable pseudonyms (the same customer gets the same pseudonym in
every report of the shop, so lists can still be matched by the shop itself). A pseudonym is an
HMAC-SHA256 of the key under the shop's secret (``<store>.secret``: 32 random bytes, mode 0600,
created on first use), 64 bits shown: without the secret nobody can confirm a guessed e-mail, and
a million customers collide with odds of about 1 in 37 million. The secret never goes into params,
notebooks or reports; losing it changes every pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

import pandas as pd

from ltvlib.errors import LtvError

__all__ = ["PERSONAL_COLUMNS", "SECRET_BYTES", "pseudonym", "redact", "secret_path", "shop_secret"]

PERSONAL_COLUMNS = ("email", "customer_key", "name", "first_name", "last_name", "phone")
SECRET_BYTES = 32
_SHOWN_HEX = 16  # 64 bits


def secret_path(store: str | Path) -> Path:
    """Where the pseudonym secret of the shop whose store is ``store`` lives: ``<store>.secret``."""
    return Path(f"{store}.secret")


def shop_secret(store: str | Path) -> bytes:
    """The shop's pseudonym secret, read from beside its store; created on first use (``ltv import`` does,
    and so may a read-only report run: that writes the secret file, never the store)."""
    path = secret_path(store)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = _create_secret(path)
    if len(data) != SECRET_BYTES:
        raise LtvError(f"{path}: the shop's pseudonym secret should hold {SECRET_BYTES} bytes but holds {len(data)}. "
                       "Restore the file from a backup to keep the pseudonyms of earlier reports, or delete it to "
                       "start new ones (every customer's pseudonym then changes).")
    return data


def _create_secret(path: Path) -> bytes:
    """Write a new random secret to ``path`` (mode 0600) unless another process just did; either way, read it.

    The secret is written whole to a private temporary file and hard-linked into place, which fails if
    ``path`` exists: a reader never sees a half-written secret and two first uses agree on one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(SECRET_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def pseudonym(keys: pd.Series | pd.Index, secret: bytes) -> pd.Series:
    """Stable pseudonyms like ``C-3f9a2b71c04d5e86`` for customer keys (HMAC-SHA256 under the shop's secret)."""
    values = pd.Series(keys, dtype=object)
    return values.map(
        lambda k: None if k is None or k != k else
        "C-" + hmac.new(secret, str(k).encode(), hashlib.sha256).hexdigest()[:_SHOWN_HEX]
    )


def redact(df: pd.DataFrame, *, show_personal_data: bool, secret: bytes) -> pd.DataFrame:
    """A (shallow) copy of ``df`` fit for a report: personal columns dropped and keys pseudonymised unless allowed;
    ``df`` itself is not changed.

    ``customer_key`` (column or index name) becomes a pseudonym under ``secret`` (``shop_secret(store)``);
    ``email``, names and phone are dropped.
    """
    if show_personal_data:
        return df.copy(deep=False)
    out = df.copy(deep=False)  # shallow: an export of millions of customers would otherwise exist twice
    if out.index.name == "customer_key":
        out.index = pd.Index(pseudonym(out.index, secret).to_numpy(), name="customer")
    if "customer_key" in out.columns:
        out.insert(out.columns.get_loc("customer_key"), "customer", pseudonym(out["customer_key"], secret).to_numpy())
    return out.drop(columns=[c for c in PERSONAL_COLUMNS if c in out.columns])
