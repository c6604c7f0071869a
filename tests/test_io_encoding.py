"""Encoding detection, the all-string table reader and the InputError message format."""

from __future__ import annotations

from pathlib import Path

import pytest

from ltvlib.io import InputError, detect_encoding, read_text_table
from ltvlib.io.encoding import TextFile

JA = "メール,名前\nhanako@example.jp,山田 花子\n"


def test_input_error_is_one_paragraph():
    err = InputError("orders.csv", "'x' is not a number.", "Expected 12.50.", row=7, column="Total")
    assert isinstance(err, ValueError)
    assert str(err) == "orders.csv, row 7, column 'Total': 'x' is not a number. Expected 12.50."
    assert (err.file, err.row, err.column, err.problem, err.hint) == (
        "orders.csv", 7, "Total", "'x' is not a number", "Expected 12.50.")
    assert str(InputError("a.csv", "the file is empty")) == "a.csv: the file is empty."
    assert str(InputError("a.csv", "bad", "Fix it.", column="Name")) == "a.csv, column 'Name': bad. Fix it."


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                    ("cp932", "cp932")])
def test_detect_and_read(tmp_path, encoding, expected):
    path = tmp_path / "list.csv"
    path.write_bytes(JA.encode(encoding))
    assert detect_encoding(path) == expected
    table = read_text_table(path)
    assert list(table.columns) == ["メール", "名前"]
    assert table.iloc[0].tolist() == ["hanako@example.jp", "山田 花子"]


def test_neither_utf8_nor_cp932(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name\nCaf\xe9 \x81\x20\n")
    with pytest.raises(InputError, match="neither UTF-8 nor Shift_JIS") as e:
        detect_encoding(path)
    assert e.value.file == "latin.csv"


def test_excel_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
    with pytest.raises(InputError, match="Excel workbook") as e:
        read_text_table(path)
    assert "CSV UTF-8" in e.value.hint


def test_truncated_multibyte_character_at_the_end(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes("name\n山田".encode()[:-1])
    assert detect_encoding(path) != "utf-8"


def test_cp932_after_a_long_ascii_start_is_still_read(tmp_path):
    path = tmp_path / "late.csv"
    ascii_rows = "".join(f"user{i}@example.com,Plain Name\n" for i in range(200_000))  # > 4 MiB sample
    path.write_bytes(("email,name\n" + ascii_rows + "late@example.jp,髙橋 一郎\n").encode("cp932"))
    assert detect_encoding(path) == "utf-8"  # the sample is plain ASCII
    table = read_text_table(path)
    assert table["name"].iloc[-1] == "髙橋 一郎"
    assert len(table) == 200_001


def test_scan_reads_blocks_and_starts_again_as_cp932(tmp_path):
    path = tmp_path / "late.csv"
    ascii_rows = "".join(f"user{i}@example.com,Plain Name\n" for i in range(200_000))  # > 4 MiB sample
    path.write_bytes(("email,name\n" + ascii_rows + "late@example.jp,髙橋 一郎\n").encode("cp932"))
    passes = []

    def consume(tables):
        passes.append([])
        for table in tables:
            passes[-1].append(table.num_rows)
        return table.column("name")[-1].as_py()

    assert TextFile.open(path).scan(["name"], consume, block_size=1 << 16) == "髙橋 一郎"
    assert len(passes) == 2  # UTF-8 until the cp932 row, then again as cp932
    assert len(passes[1]) > 50 and sum(passes[1]) == 200_001


def test_read_text_table_keeps_blank_rows_and_row_positions(tmp_path):
    path = tmp_path / "segment.tsv"
    path.write_text('email\tnote\n\na@x.com\t"two\nlines"\n\t\nb@x.com\tok\n', encoding="utf-8")
    table = read_text_table(path)  # tab detected from the header line
    # index i is spreadsheet row i + 2: the empty line is row 2, the quoted two-line cell stays in row 3
    assert table["email"].tolist() == ["", "a@x.com", "", "b@x.com"]
    assert table["note"].tolist() == ["", "two\nlines", "", "ok"]
    assert read_text_table(path, columns=["note"]).columns.tolist() == ["note"]
    with pytest.raises(InputError, match="required column 'customer_id' is missing") as e:
        read_text_table(path, columns=["customer_id"])
    assert "email, note" in str(e.value) and e.value.column == "customer_id"


def test_missing_and_empty_files(tmp_path: Path):
    with pytest.raises(InputError, match="cannot be opened"):
        read_text_table(tmp_path / "nope.csv")
    (tmp_path / "blank.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_text_table(tmp_path / "blank.csv", label="my list")
