"""Personal data leaves reports unless params allow it."""

from __future__ import annotations

import pandas as pd

from ltvlib.privacy import pseudonym, redact


def test_redact_hides_emails_and_keys() -> None:
    df = pd.DataFrame({"customer_key": ["a@x.jp", "b@x.jp"], "email": ["a@x.jp", "b@x.jp"], "orders": [1, 2]})
    out = redact(df, show_personal_data=False, shop="s")
    assert "email" not in out and "customer_key" not in out
    assert not out.astype(str).apply(lambda c: c.str.contains("@")).any().any()
    assert out["customer"].tolist() == pseudonym(df["customer_key"], "s").tolist()
    assert out["customer"].str.match(r"^C-[0-9a-f]{8}$").all()


def test_redact_index_and_allowed() -> None:
    df = pd.DataFrame({"orders": [1]}, index=pd.Index(["a@x.jp"], name="customer_key"))
    assert redact(df, show_personal_data=False, shop="s").index.name == "customer"
    assert redact(df, show_personal_data=True, shop="s").index.tolist() == ["a@x.jp"]


def test_pseudonyms_stable_per_shop_and_distinct() -> None:
    k = pd.Series(["a@x.jp", "b@x.jp"])
    assert pseudonym(k, "s").tolist() == pseudonym(k, "s").tolist()
    assert pseudonym(k, "s").tolist() != pseudonym(k, "t").tolist()
    assert pseudonym(k, "s").nunique() == 2
