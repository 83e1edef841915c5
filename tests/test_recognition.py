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


#: forms staff write in spreadsheets: definite, plural and case forms, compounds, trade
#: names and abbreviations, purpose clauses and parentheses, in each language
INFLECTED_AND_TRADE_FORMS = [
    # bokmål / nynorsk: definite and plural forms, compounds, purpose clauses
    ("nb", "Fiskeslammet fra settefiskanlegget", "fish_sludge"),
    ("nb", "slammet (avvannet)", "sludge"),
    ("nb", "Kjølevannet ut av kondensatoren", "cooling_water"),
    ("nb", "biogassen", "biogas"),
    ("nb", "gassene fra prosessen", "fuel_gas"),
    ("nb", "gass til tørking", "fuel_gas"),
    ("nb", "flisa", "wood_chips"),
    ("nb", "sagflisen", "sawdust"),
    ("nb", "barken fra sagbruket", "bark"),
    ("nb", "returtreet", "recovered_wood"),
    ("nb", "renset avløpsvannet", "treated_wastewater"),
    ("nb", "spillvarmen fra ovnene", "waste_heat"),
    ("nb", "fjernvarmen", "district_heat"),
    ("nb", "bioresten", "digestate"),
    ("nb", "gjødsel", "fertiliser"),
    ("nb", "proteinråvare", "protein"),
    ("nb", "omega-3-olje", "fish_oil"),
    ("nb", "slam til biogass", "sludge"),
    ("nb", "fiskensilasje", "fish_silage"),
    ("nb", "mask fra bryggeriet", "spent_grain"),
    ("nn", "kjølevatnet", "cooling_water"),
    ("nn", "fiskeslammet", "fish_sludge"),
    ("nn", "oska frå kjelen", "ash"),
    ("nn", "biogassen frå anlegget", "biogas"),
    # Swedish
    ("sv", "slammen från reningsverket", "sewage_sludge"),  # the source names the kind
    ("sv", "gasen", "fuel_gas"),
    ("sv", "rågas", "biogas"),
    ("sv", "fordonsgas", "biomethane"),
    ("sv", "kylvattnet", "cooling_water"),
    ("sv", "rensat avloppsvatten", "treated_wastewater"),
    ("sv", "restvärmen", "waste_heat"),
    ("sv", "fjärrvärmen", "district_heat"),
    ("sv", "processånga", "steam"),
    ("sv", "rötresten", "digestate"),
    ("sv", "fiberslammet", "fibre_sludge"),
    ("sv", "grönlutslam", "green_liquor_dregs"),
    ("sv", "mesa", "lime_mud"),
    ("sv", "CO2 rågas", "co2"),
    ("sv", "biogen koldioxid", "co2"),
    ("sv", "gas till torkning", "fuel_gas"),
    ("sv", "flisen", "wood_chips"),
    ("sv", "sågspånet", "sawdust"),
    ("sv", "mikroalger", "algae"),
    ("sv", "drank", "distillers_grains"),
    ("sv", "vasslen", "whey"),
    ("sv", "flygaskan", "fly_ash"),
    ("sv", "proteinråvara", "protein"),
    # Danish
    ("da", "kølevandet", "cooling_water"),
    ("da", "spildevandsslammet", "sewage_sludge"),
    ("da", "gas til tørring", "fuel_gas"),
    ("da", "afgasset biomasse", "digestate"),
    ("da", "biogødning", "digestate"),
    ("da", "bionaturgas", "biomethane"),
    ("da", "renset spildevand", "treated_wastewater"),
    ("da", "spildvarmen", "waste_heat"),
    ("da", "fjernvarmen", "district_heat"),
    ("da", "træpillerne", "wood_pellets"),
    ("da", "algerne", "algae"),
    ("da", "flyveasken", "fly_ash"),
    ("da", "proteinfoder", "protein"),
    # Finnish: partitive, genitive and plural forms, compounds, purpose phrases
    ("fi", "lietteet", "sludge"),
    ("fi", "lietettä", "sludge"),
    ("fi", "kalalietteet", "fish_sludge"),
    ("fi", "puhdistamolietettä", "sewage_sludge"),
    ("fi", "jäähdytysvettä", "cooling_water"),
    ("fi", "hukkalämpöä", "waste_heat"),
    ("fi", "kaukolämmön", "district_heat"),
    ("fi", "höyryä", "steam"),
    ("fi", "biokaasua", "biogas"),
    ("fi", "kaasua kuivausta varten", "fuel_gas"),
    ("fi", "mädätysjäännöstä", "digestate"),
    ("fi", "puhdistettua jätevettä", "treated_wastewater"),
    ("fi", "pelletit", "wood_pellets"),
    ("fi", "briketit", "biomass_fuel"),
    ("fi", "kuorta", "bark"),
    ("fi", "purua", "sawdust"),
    ("fi", "lentotuhkaa", "fly_ash"),
    ("fi", "piilevät", "algae"),
    ("fi", "mikrolevää", "algae"),
    ("fi", "proteiinirehu", "protein"),
    ("fi", "omega-3-öljy", "fish_oil"),
    ("fi", "liete mädätykseen", "sludge"),
    # English: purpose clauses, parentheses, trade abbreviations
    ("en", "sludge for digestion", "sludge"),
    ("en", "gas for drying", "fuel_gas"),
    ("en", "digestate pellets", "digestate"),
    ("en", "condenser water (warm)", "cooling_water"),
    ("en", "fish sludge (dewatered, from RAS)", "fish_sludge"),
    ("en", "DDGS", "distillers_grains"),
    ("en", "HVO", "biodiesel"),
    ("en", "LBG", "biomethane"),
    ("en", "protein", "protein"),
    ("en", "omega-3 oil", "fish_oil"),
    ("en", "biogenic CO2", "co2"),
]


@pytest.mark.parametrize("lang,text,resource", INFLECTED_AND_TRADE_FORMS,
                         ids=[f"{r[0]}:{r[1]}" for r in INFLECTED_AND_TRADE_FORMS])
def test_inflected_compound_and_trade_forms(lang, text, resource):
    got = recognizer().recognise(text)
    assert (got.resource, got.sure) == (resource, True), (got.confidence, got.evidence)


def test_the_form_table_covers_every_language_and_is_large():
    langs = {lang for lang, _, _ in INFLECTED_AND_TRADE_FORMS}
    assert len(INFLECTED_AND_TRADE_FORMS) >= 60
    assert langs == {"en", "nb", "nn", "sv", "da", "fi"}


def test_an_inflected_word_or_compound_is_read_through_its_base_form():
    rec = recognizer()
    # ending stripped (with the doubled consonant and the dropped e put back)
    assert rec._base_forms("settefiskslammet")[0] == "settefiskslam"
    assert rec._base_forms("kylvattnet")[0] == "kylvatten"
    # a compound whose last part is inflected: the last part's lemma
    assert rec._base_forms("kalalietteet")[0] == "kalaliete"
    # ordinary words are not read as a resource through a short stem
    assert rec._base_forms("fjern") == ()
    for text, resource in (("dambrugsslammet", "fish_sludge"), ("bioslammen", "bio_sludge"),
                           ("mikroalgerna", "algae"), ("hakkuutähteitä", "forest_residues"),
                           ("teurasjätteet", "slaughterhouse_waste")):
        got = rec.recognise(text)  # none of these forms is in the lexicon
        assert (got.resource, got.method, got.sure) == (resource, "lemma", True), text


def test_a_purpose_clause_neither_names_nor_refines_the_resource():
    rec = recognizer()
    assert rec.recognise("sludge for digestion").resource == "sludge"
    assert rec.recognise("slam til biogass").resource == "sludge"
    assert rec.recognise("kaasua kuivausta varten").resource == "fuel_gas"
    # a source clause still names the kind
    assert rec.recognise("sludge from the fish farm").resource == "fish_sludge"


def test_a_bare_gas_word_is_fuel_gas_but_only_when_nothing_else_names_the_flow():
    rec = recognizer()
    for text in ("gas", "gass", "kaasu", "gas til tørring"):
        assert rec.recognise(text).resource == "fuel_gas", text
    co2 = rec.recognise("CO2 gas")
    assert co2.resource == "co2" and co2.sure
    assert rec.recognise("oksygen gass").resource == "oxygen"


def test_a_parenthesis_is_an_aside_only_until_it_closes():
    rec = recognizer()
    got = rec.recognise("(tørket) fiskeslam")
    assert got.resource == "fish_sludge" and got.confidence >= 0.9
    assert got.qualifiers.get("state") == "dry"


def test_a_finnish_genitive_before_the_head_says_of_what_not_what():
    """In a Finnish noun phrase the head comes last: genitives before it are attributes
    ("waste heat of the cooling of the acid plant"), and a genitive before a word that
    says what for belongs to that purpose ("as raw material for sulphuric acid")."""
    rec = recognizer()
    for text in ("rikkihappotehtaan jäähdytyksen hukkalämpö",
                 "voimalaitoksen savukaasujen hukkalämpö"):
        got = rec.recognise(text)
        assert got.resource == "waste_heat" and got.sure, (text, got)
    got = rec.recognise("SO2-kaasu rikkihapon raaka-aineeksi")
    assert (got.resource, got.qualifiers.get("state"), got.sure) == (
        "sulphur_dioxide", "gas", True)
    # a genitive that nothing after it names keeps its weight
    assert rec.recognise("jäähdytyksen tarve").resource == "cooling"
    assert rec.recognise("lämmön talteenotto savukaasuista").resource in (
        "heat", "flue_gas_heat")


def test_a_compound_of_a_name_and_gas_is_that_substance_and_of_an_unknown_word_is_asked():
    rec = recognizer()
    for text, resource in (("karbondioksidgass", "co2"), ("koldioxidgas", "co2"),
                           ("hydrogengass", "hydrogen"),
                           ("rikkidioksidikaasu", "sulphur_dioxide")):
        got = rec.recognise(text)
        assert got.resource == resource and got.sure, (text, got)
        assert got.qualifiers.get("state") in (None, "gas")
    # a gas of something the lexicon does not know: fuel gas is only a suggestion
    got = rec.recognise("metaanikaasu")
    assert not got.sure and got.suggestions[0][0] == "fuel_gas"


def test_kinds_listed_beside_their_concept_are_read_as_the_concept():
    rec = recognizer()
    for text in ("lietteet mädätykseen (sellutehtaan bioliete, yhdyskuntaliete)",
                 "slam (fiskeslam, kloakkslam)", "sludge (fish sludge, sewage sludge)"):
        got = rec.recognise(text)
        assert got.resource == "sludge" and got.sure, (text, got)
    # one kind beside its concept still names the kind
    assert rec.recognise("sludge (fish sludge)").resource == "fish_sludge"


def test_a_compound_of_a_name_and_a_residue_word_is_that_name_and_a_typo_keeps_its_first_letter():
    """"askerester" (ash residues) was read as a typo of "maskrester" (spent grain
    residues): a typo seldom changes the first letter, and a compound of a known name and
    a word for residues is that name's flow."""
    rec = recognizer()
    got = rec.recognise("askerester fra biobrensel")
    assert got.resource == "ash" and got.sure, got
    assert rec.recognise("barkrester").resource == "bark"
    # typos that keep the first letter are still read
    assert rec.recognise("spilvarme").resource == "waste_heat"
    assert rec.recognise("fiskeslamm").resource == "fish_sludge"
