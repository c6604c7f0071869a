"""Hand-off CSVs: e-mail lists, Shopify customer CSVs with a tag (existing tags kept), formula neutralisation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ltvlib.io import read_text_table
from ltvlib.io.csvout import neutralise, write_csv
from ltvlib.segments.exports import SHOPIFY_CUSTOMER_COLUMNS, email_csv, merge_tags, shopify_customer_csv

MEMBERS = pd.DataFrame({"customer_key": ["a", "b", "c", "d"], "group": ["target", "target", "control", "target"]})
EMAILS = pd.Series({"a": "a@x.jp", "b": "=HYPERLINK(\"http://evil\")@x.jp", "c": "c@x.jp"})


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(prefix: str) -> None:
    df = pd.DataFrame({"text": [f"{prefix}cmd", "safe", None], "number": [-1.0, 2.0, 3.0]})
    out, n = neutralise(df)
    assert n == 1
    assert out["text"].tolist() == [f"'{prefix}cmd", "safe", None]
    assert out["number"].tolist() == [-1.0, 2.0, 3.0]  # numbers are not text a spreadsheet would run
    assert df["text"].iloc[0] == f"{prefix}cmd"  # the input is not changed


def test_email_csv_targets_only_and_reports_missing() -> None:
    out = email_csv(MEMBERS, EMAILS)
    assert out.frame["Email"].tolist() == ["a@x.jp", "'=HYPERLINK(\"http://evil\")@x.jp"]
    assert out.neutralised == 1
    assert out.missing["customer_key"].tolist() == ["d"]  # no e-mail known: reported, not dropped silently
    both = email_csv(MEMBERS, EMAILS, groups=("target", "control"))
    assert "c@x.jp" in both.frame["Email"].tolist()


def test_merge_tags() -> None:
    assert merge_tags("vip, Gift", "spring") == "vip, Gift, spring"
    assert merge_tags("vip, SPRING", "spring") == "vip, SPRING"  # Shopify tags ignore case
    assert merge_tags(None, "spring") == "spring"
    assert merge_tags(" , x ,", "y") == "x, y"


def test_shopify_csv_without_existing_export() -> None:
    out = shopify_customer_csv(MEMBERS, EMAILS, "spring_dm")
    assert tuple(out.frame.columns) == SHOPIFY_CUSTOMER_COLUMNS
    assert out.frame["Tags"].tolist() == ["spring_dm", "spring_dm"] and out.not_in_existing == 2
    with pytest.raises(ValueError, match="without commas"):
        shopify_customer_csv(MEMBERS, EMAILS, "a, b")


def test_shopify_csv_keeps_existing_rows_and_tags() -> None:
    existing = pd.DataFrame({
        "Customer ID": ["'111", "'222"], "First Name": ["花子", "-Bob"], "Email": ["A@X.JP", "other@x.jp"],
        "Tags": ["vip, gift", ""], "Note": ["", ""],
    })
    members = pd.DataFrame({"customer_key": ["a", "222", "b"], "group": ["target"] * 3})
    emails = pd.Series({"a": "a@x.jp", "222": "z@x.jp", "b": "b@x.jp"})
    out = shopify_customer_csv(members, emails, "spring_dm", existing=existing)
    f = out.frame.set_index("Email")
    assert list(out.frame.columns) == list(existing.columns)
    assert f.loc["A@X.JP", "Tags"] == "vip, gift, spring_dm" and f.loc["A@X.JP", "First Name"] == "花子"
    assert f.loc["other@x.jp", "Tags"] == "spring_dm"  # matched by Customer ID
    assert f.loc["other@x.jp", "First Name"] == "'-Bob"  # neutralised
    assert f.loc["b@x.jp", "Tags"] == "spring_dm" and out.not_in_existing == 1
    with pytest.raises(ValueError, match="'Email' and 'Tags'"):
        shopify_customer_csv(members, emails, "x", existing=existing.drop(columns="Tags"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_write_csv_round_trip(tmp_path: Path, encoding: str) -> None:
    frame = pd.DataFrame({"Email": ["a@x.jp"], "Tags": ["春, 'x"], "Note": ["line\nbreak, \"quoted\""]})
    path = tmp_path / "out.csv"
    write_csv(frame, path, encoding=encoding)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    back = read_text_table(path)
    pd.testing.assert_frame_equal(back, frame)
    assert not list(tmp_path.glob(".*tmp"))  # no temp file left behind
    with pytest.raises(ValueError, match="cannot be written in cp932"):
        write_csv(pd.DataFrame({"x": ["😀"]}), tmp_path / "e.csv", encoding="cp932")
