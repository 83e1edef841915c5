"""Recognition of free text: the phrase table (five languages and English) and the
qualifiers, mappings and suggestions."""

import csv
from pathlib import Path

import pytest

from symbiosis.recognition import ASK_BELOW, Recognizer, load_mapping, recognizer
from symbiosis.taxonomy import default_taxonomy

TABLE = Path(__file__).parent / "data" / "recognition_phrases.csv"


def _rows():
    with TABLE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _float(text):
    return float(text) if text.strip() else None


def _check(row, got):
    """The problems with one recognition (empty when right)."""
    ok = {row["expected"], *[k for k in row["also_ok"].split(";") if k]}
    problems = []
    if got.resource not in ok:
        problems.append(f"resource {got.resource} (expected {row['expected']})")
    q = got.qualifiers
    for name in ("temperature_min", "temperature_max", "purity_pct"):
        want = _float(row[name])
        have = q.get(name)
        if want != (None if have is None else float(have)):
            problems.append(f"{name} {have} (expected {want})")
    if (row["state"] or None) != q.get("state"):
        problems.append(f"state {q.get('state')} (expected {row['state'] or None})")
    if (row["ewc"] or None) != q.get("ewc"):
        problems.append(f"ewc {q.get('ewc')} (expected {row['ewc'] or None})")
    if (row["hazardous"] == "yes") != bool(q.get("hazardous")):
        problems.append(f"hazardous {q.get('hazardous')}")
    return problems


def test_phrase_table_is_large_and_covers_the_languages():
    rows = _rows()
    langs = {r["lang"] for r in rows}
    assert len(rows) >= 200 and langs == {"en", "nb", "nn", "sv", "da", "fi"}
    tax = default_taxonomy()
    assert all(r["expected"] in tax.resources for r in rows)


def test_recognition_is_at_least_95_percent_right_on_the_phrase_table():
    rows = _rows()
    rec = recognizer()
    wrong = []
    for row in rows:
        problems = _check(row, rec.recognise(row["text"]))
        if problems:
            wrong.append(f"{row['lang']} {row['text']!r}: {'; '.join(problems)}")
    share = 1 - len(wrong) / len(rows)
    print(f"\nrecognition: {len(rows) - len(wrong)}/{len(rows)} right ({share:.1%})")
    for line in wrong:
        print("  ", line)
    assert share >= 0.95, "\n".join(wrong)


@pytest.mark.parametrize("text,resource,qualifiers", [
    ("spillvarme 60 °C", "waste_heat", {"temperature_min": 60.0, "temperature_max": 60.0}),
    ("restvärme 40–60 °C", "waste_heat", {"temperature_min": 40.0, "temperature_max": 60.0}),
    ("CO2 from ammonia plant (high purity)", "co2_pure", {"purity_pct": 99.0}),
    ("flyveaske 10 01 04*", "fly_ash", {"ewc": "100104", "hazardous": True}),
    ("tørr sagflis", "sawdust", {"state": "dry"}),
])
def test_words_and_qualifiers(text, resource, qualifiers):
    got = recognizer().recognise(text)
    assert got.resource == resource and got.text == text
    assert got.sure and got.evidence
    for k, v in qualifiers.items():
        assert got.qualifiers[k] == v


def test_words_after_from_name_a_source_not_the_resource():
    rec = recognizer()
    assert rec.recognise("spillvarme fra biogassanlegget").resource == "waste_heat"
    assert rec.recognise("CO2 from the ammonia plant").resource in ("co2", "co2_flue_gas")


def test_unknown_text_is_not_sure_and_offers_at_most_three_suggestions():
    rec = recognizer()
    nothing = rec.recognise("qwzx plorb")
    assert nothing.resource is None and not nothing.sure and nothing.suggestions == ()
    vague = rec.recognise("restprodukter fra produksjonen")
    assert len(vague.suggestions) <= 3
    assert vague.confidence < ASK_BELOW or vague.resource is not None


def test_a_confirmed_mapping_decides_and_is_read_from_a_file(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("text,resource\nBlandet prosessavfall linje 3,industrial_waste\n"
                    "Gunnars spesial,fish sludge\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping == {"blandet prosessavfall linje 3": "industrial_waste",
                       "gunnars spesial": "fish_sludge"}
    rec = Recognizer(default_taxonomy(), mapping=mapping)
    got = rec.recognise("Gunnars  SPESIAL")
    assert (got.resource, got.confidence, got.method) == ("fish_sludge", 1.0, "mapping")
