"""Personal data leaves reports unless params allow it; pseudonyms are keyed by a per-shop secret."""

from __future__ import annotations

import hashlib
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ltvlib.errors import LtvError
from ltvlib.privacy import SECRET_BYTES, pseudonym, redact, secret_path, shop_secret

KEY = b"k" * SECRET_BYTES


def test_redact_hides_emails_and_keys() -> None:
    df = pd.DataFrame({"customer_key": ["a@x.jp", "b@x.jp"], "email": ["a@x.jp", "b@x.jp"], "orders": [1, 2]})
    out = redact(df, show_personal_data=False, secret=KEY)
    assert "email" not in out and "customer_key" not in out
    assert not out.astype(str).apply(lambda c: c.str.contains("@")).any().any()
    assert out["customer"].tolist() == pseudonym(df["customer_key"], KEY).tolist()
    assert out["customer"].str.match(r"^C-[0-9a-f]{16}$").all()


def test_redact_index_and_allowed() -> None:
    df = pd.DataFrame({"orders": [1]}, index=pd.Index(["a@x.jp"], name="customer_key"))
    assert redact(df, show_personal_data=False, secret=KEY).index.name == "customer"
    assert redact(df, show_personal_data=True, secret=KEY).index.tolist() == ["a@x.jp"]


def test_secret_file_is_private_stable_and_per_shop(tmp_path: Path) -> None:
    s = shop_secret(tmp_path / "s.duckdb")
    assert secret_path(tmp_path / "s.duckdb") == tmp_path / "s.duckdb.secret"
    assert stat.S_IMODE((tmp_path / "s.duckdb.secret").stat().st_mode) == 0o600
    assert len(s) == SECRET_BYTES and shop_secret(tmp_path / "s.duckdb") == s
    assert shop_secret(tmp_path / "t.duckdb") != s
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_pseudonyms_stable_per_shop_distinct_and_keyed(tmp_path: Path) -> None:
    k = pd.Series(["a@x.jp", "b@x.jp", None])
    s, t = shop_secret(tmp_path / "s.duckdb"), shop_secret(tmp_path / "t.duckdb")
    first = pseudonym(k, s)
    assert first.tolist() == pseudonym(k, shop_secret(tmp_path / "s.duckdb")).tolist()
    assert first[:2].str.match(r"^C-[0-9a-f]{16}$").all() and first[2] is None
    assert first.nunique() == 2 and set(first[:2]).isdisjoint(pseudonym(k, t)[:2])
    # the old unsalted form (sha256 of "shop:key", 8 hex) cannot be recomputed from public facts
    old = "C-" + hashlib.sha256(b"s:a@x.jp").hexdigest()[:8]
    assert not first[0].startswith(old)


def test_stable_across_processes(tmp_path: Path) -> None:
    code = ("import sys, pandas as pd\nfrom ltvlib.privacy import pseudonym, shop_secret\n"
            "print(pseudonym(pd.Series(['a@x.jp']), shop_secret(sys.argv[1]))[0])")
    runs = {subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.duckdb")], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)}
    assert len(runs) == 1 and runs == {pseudonym(pd.Series(["a@x.jp"]), shop_secret(tmp_path / "s.duckdb"))[0]}


def test_first_uses_at_once_agree(tmp_path: Path) -> None:
    code = "import sys\nfrom ltvlib.privacy import shop_secret\nprint(shop_secret(sys.argv[1]).hex())"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s.duckdb")], stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    assert len({p.communicate(timeout=120)[0].strip() for p in procs}) == 1


def test_a_damaged_secret_is_an_error(tmp_path: Path) -> None:
    secret_path(tmp_path / "s.duckdb").write_bytes(b"short")
    with pytest.raises(LtvError, match="should hold 32 bytes"):
        shop_secret(tmp_path / "s.duckdb")
