"""The commands against the Bolt server: bad imports change nothing; the demo matches the
embedded store's."""

import re

from symbiosis.cli import cli

from .test_import import BAD_FLOWS

PLAN_ID = re.compile(r"Plan [0-9a-f]{12}")


def _strip(text: str) -> str:
    text = PLAN_ID.sub("Plan <id>", text)
    text = re.sub(r"\d+\.\d\d s;", "<t> s;", text)
    text = re.sub(r" into \S+", " into <store>", text)
    return re.sub(r"Network picture: .*", "", text)


def test_import_with_one_bad_row_leaves_the_graph_exactly_as_before(neo4j_store, bolt_server,
                                                                   runner, tmp_path, cases):
    neo4j_store.load(cases)
    before = neo4j_store.counts(), neo4j_store.dataset()
    bad = tmp_path / "flows.csv"
    good_rows = "\n".join(f"N{k},SOL-C01,supply,bark,{k + 1},t/yr" for k in range(20))
    bad.write_text("id,company_id,direction,resource,amount,unit\n" + good_rows
                   + "\nN99,SOL-C01,supply,bark,-3,t/yr\n", encoding="utf-8")
    result = runner.invoke(cli, ["--store", bolt_server.store_url, "import", str(bad)], obj={})
    assert result.exit_code != 0
    assert "flows.csv, row 22, field 'amount'" in str(result.exception)
    assert (neo4j_store.counts(), neo4j_store.dataset()) == before
    all_bad = tmp_path / "flows_four.csv"
    all_bad.write_text(BAD_FLOWS, encoding="utf-8")
    result = runner.invoke(cli, ["--store", bolt_server.store_url, "import", str(all_bad)],
                           obj={})
    assert result.exit_code != 0 and len(result.exception.errors) == 4
    assert (neo4j_store.counts(), neo4j_store.dataset()) == before


def test_demo_on_bolt_prints_the_same_candidates_and_plan(neo4j_store, bolt_server, runner,
                                                          tmp_path):
    outputs = []
    for url in (str(tmp_path / "s.db"), bolt_server.store_url):
        result = runner.invoke(cli, ["--store", url, "demo", "--output",
                                     str(tmp_path / "n.html")], obj={})
        assert result.exit_code == 0, result.output
        outputs.append(_strip(result.output))
    assert "recall 10/10" in outputs[1] and "status optimal" in outputs[1]
    assert outputs[0] == outputs[1]
