"""Client pages speak the shop's words: sentences for the client audience carry no params keys or commands."""

from __future__ import annotations

import re

from ltvlib import clv
from ltvlib.labels import LABELS, say

TECHNICAL = re.compile(r"\b(?:clv|winback|thresholds|report|cohorts|sources)\.[a-z_]+|`?ltv [a-z]+")


def test_client_variants_say_the_same_fact_without_params_keys() -> None:
    variants = [k for k in LABELS if k.endswith("_client")]
    assert len(variants) >= 10
    for key in variants:
        base = key.removesuffix("_client")
        assert base in LABELS, key
        for lang in ("en", "ja"):
            fields = set(re.findall(r"{(\w+)}", LABELS[key][lang]))
            assert fields <= set(re.findall(r"{(\w+)}", LABELS[base][lang])), (key, lang)
            assert not TECHNICAL.search(LABELS[key][lang]), (key, lang)


def test_say_picks_the_client_variant_only_for_clients() -> None:
    e = clv.ModelError("clv_undefined_predictions", model="BG/NBD", count="61")
    for lang in ("en", "ja"):
        assert "clv.penalizer" in e.text(lang) and "clv.penalizer" in e.text(lang, "analyst")
        assert not TECHNICAL.search(e.text(lang, "client")) and "61" in e.text(lang, "client")
    assert say("seg_no_lists", "en", audience="client") == say("seg_no_lists", "en")  # no variant: the same
