"""Command line: ``symbiosis import | match | chains | optimize | demo``."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import services
from .errors import ImportValidationError, NotFoundError, RowError, SymbiosisError
from .export import SpreadsheetWriter, json_text
from .indicators import area_indicators
from .matching import chain_steps
from .model import Candidate, Flow
from .report import (
    candidate_text,
    case_report,
    format_candidates,
    format_comparison,
    format_plan,
    format_scenarios,
    plan_json,
)
from .taxonomy import default_taxonomy, load_taxonomy

if TYPE_CHECKING:
    from .io import Interpretation

__all__ = ["main", "cli"]


def _store(ctx: click.Context):  # noqa: ANN202 - returns graph.Store
    from graph import open_store

    if "store" not in ctx.obj:
        ctx.obj["store"] = open_store(ctx.obj["store_url"])
        ctx.call_on_close(ctx.obj["store"].close)
    return ctx.obj["store"]


def _taxonomy(ctx: click.Context):  # noqa: ANN202
    """The taxonomy for this invocation (an override file is read once)."""
    if "taxonomy" not in ctx.obj:
        path = ctx.obj.get("factors")
        ctx.obj["taxonomy"] = load_taxonomy(overrides=path) if path else default_taxonomy()
    return ctx.obj["taxonomy"]


def _place(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A ``--county`` or ``--municipality`` option as its register name."""
    if not value:
        return value
    from .places import default_register

    county = param.name == "county"
    if not county and default_register().municipality_name(value):  # "Våler": both
        return default_register().municipality_name(value)
    got = default_register().read(value if county else None, None if county else value)
    if not got.ok:
        raise click.BadParameter(got.problems[0].message)
    return got.county if county else got.municipality


@click.group()
@click.option("--store", "store_url", envvar="SYMBIOSIS_STORE", default=None,
              help="Store URL: a file path (default ./symbiosis-store.db) or "
                   "neo4j://user:password@host:7687[/database] (also SYMBIOSIS_STORE).")
@click.option("--factors", type=click.Path(exists=True, dir_okay=False), default=None,
              envvar="SYMBIOSIS_FACTORS",
              help="CSV overriding taxonomy factors: resource,field,value,source,year.")
@click.option("--country", default=None, envvar="SYMBIOSIS_COUNTRY",
              help="Country whose boxes imported places are checked against (a code of "
                   "symbiosis/data/country_boxes.csv; default NO, Norway; also "
                   "SYMBIOSIS_COUNTRY).")
@click.pass_context
def cli(ctx: click.Context, store_url: str | None, factors: str | None,
        country: str | None) -> None:
    """Industrial-symbiosis matchmaking: flows in, candidates and plans out."""
    ctx.ensure_object(dict)
    ctx.obj["store_url"] = store_url
    ctx.obj["factors"] = factors
    ctx.obj["country"] = country


def _import(ctx: click.Context, files: list[str], kind: str | None = None, *,
            mapping: str | None = None, write_mapping: str | None = None) -> None:
    from .io import read_tables  # pandas and the readers load only for imports
    from .recognition import load_mapping

    store = _store(ctx)
    tax = _taxonomy(ctx)
    confirmed = load_mapping(mapping, tax) if mapping else None
    try:
        # the command line has no cluster identity: whoever runs it is an admin
        result = services.import_tables(store, read_tables(files, kind=kind), taxonomy=tax,
                                        mapping=confirmed, owner=None,
                                        country=ctx.obj.get("country"))
    except ImportValidationError as exc:
        unsure = [e for e in exc.errors if e.code == "unrecognised"]
        if write_mapping and unsure:
            _write_mapping_template(Path(write_mapping), unsure, confirmed or {})
            click.echo(f"{len(unsure)} resource cell(s) to confirm: edit "
                       f"{Path(write_mapping).resolve()} and import again with --mapping",
                       err=True)
        raise
    d = result.dataset
    for label, dialect in result.dialects:
        click.echo(f"{label}: read as {dialect}")
    click.echo(f"imported {len(d.companies)} companies, {len(d.parks)} parks, "
               f"{len(d.flows)} flows, {len(d.processes)} processes into {store.url}")
    _print_interpretations(result.interpretations, result.dataset.flows)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)


def _print_interpretations(seen: Sequence[Interpretation], flows: Sequence[Flow]) -> None:
    """The resource cells read from free text, beside what they were read as."""
    if not seen:
        return
    by_id = {f.id: f for f in flows}
    click.echo(f"{len(seen)} resource cell(s) read from text:")
    for it in seen[:40]:
        r = it.recognition
        f = by_id.get(it.flow_id)
        quals = ", ".join(f"{k}={v}" for k, v in r.qualifiers.items())
        conv = f"; {f.amount_text} -> {f.amount:,.1f} {f.unit}/yr ({f.conversion})" \
            if f is not None and f.conversion and f.amount is not None else ""
        click.echo(f"  {it.file} row {it.row}: {r.text!r} -> {r.resource} "
                   f"({r.confidence:.2f}; {', '.join(r.evidence)}{'; ' + quals if quals else ''}"
                   f"{conv})")
    if len(seen) > 40:
        click.echo(f"  ... and {len(seen) - 40} more")


def _write_mapping_template(path: Path, unsure: Sequence[RowError],
                            confirmed: Mapping[str, str]) -> None:
    """A ``text,resource`` file with each unsure cell and its best suggestion, to edit."""
    rows = dict(confirmed)
    for e in unsure:
        rows.setdefault(e.value, e.suggestions[0][0] if e.suggestions else "")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = SpreadsheetWriter(fh)
        w.writerow(["text", "resource"])
        for text, key in rows.items():
            w.writerow([text, key])


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--kind", type=click.Choice(["companies", "parks", "flows", "processes"]),
              help="What a CSV holds when its name does not say.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Confirmed readings of resource cells: a CSV text,resource.")
@click.option("--write-mapping", type=click.Path(dir_okay=False), default=None,
              help="Where to write a text,resource file of the cells to confirm.")
@click.pass_context
def import_cmd(ctx: click.Context, files: tuple[str, ...], kind: str | None,
               mapping: str | None, write_mapping: str | None) -> None:
    """Import CSV or XLSX files; any bad row stops the import and nothing is written.

    Resource cells may be written as people write them ("spillvarme 60 °C", "flis");
    a cell not recognised with confidence stops the import with the best three
    suggestions: confirm it in a mapping file (--mapping, see --write-mapping)."""
    _import(ctx, list(files), kind, mapping=mapping, write_mapping=write_mapping)


def _match(ctx: click.Context, *, max_distance: float | None = None,
           max_per_flow: int | None = 10) -> Sequence[Candidate]:
    return services.rematch(_store(ctx), taxonomy=_taxonomy(ctx),
                            max_distance_km=max_distance, max_per_flow=max_per_flow)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option("--county", callback=_place)
@click.option("--municipality", callback=_place)
@click.option("--resource", help="Taxonomy key, alias or EWC code (supply or demand side).")
@click.option("--company")
@click.option("--max-distance", type=float, help="Routed km cap on top of resource limits.")
@click.option("--max-per-flow", type=int, default=10, show_default=True,
              help="Best candidates kept per flow (0 keeps all).")
@click.option("--lang", type=click.Choice(["en", "nb"]), default="en", show_default=True,
              help="Language of the reasons.")
@click.pass_context
def match(ctx: click.Context, fmt: str, county: str | None, municipality: str | None,
          resource: str | None, company: str | None, max_distance: float | None,
          max_per_flow: int, lang: str) -> None:
    """Find candidates for the whole store, store them, print the filtered ones."""
    cands = _match(ctx, max_distance=max_distance, max_per_flow=max_per_flow or None)
    if county or municipality or resource or company:
        cands = services.filter_candidates(_store(ctx), cands, county=county,
                                           municipality=municipality, resource=resource,
                                           company=company, taxonomy=_taxonomy(ctx))
    # what is loaded stays to the end of the command: the cyclic collector need not scan
    # it again for every batch of candidates written
    gc.freeze()
    for chunk in candidate_text(cands, fmt, lang=lang, taxonomy=_taxonomy(ctx)):
        click.echo(chunk, nl=False)


@cli.command()
@click.option("--flow", "flow_id", help="Start flow (default: every supply flow).")
@click.option("--max-steps", type=int, default=3, show_default=True)
@click.option("--min-steps", type=int, default=2, show_default=True)
@click.pass_context
def chains(ctx: click.Context, flow_id: str | None, max_steps: int, min_steps: int) -> None:
    """List value chains: links joined through processes, up to N links."""
    store = _store(ctx)
    if not store.candidates():
        _match(ctx)
    starts = [flow_id] if flow_id else [f.id for f in store.flows(direction="supply")]
    n = 0
    for s in starts:
        for chain in store.value_chains(s, max_steps=max_steps):
            if chain_steps(chain) >= min_steps:
                click.echo(" -> ".join(chain))
                n += 1
    click.echo(f"{n} chain(s)", err=True)


def _optimise(ctx: click.Context, **kw: object):  # noqa: ANN202
    return services.plan(_store(ctx), taxonomy=_taxonomy(ctx), **kw)  # type: ignore[arg-type]


@cli.command()
@click.option("--objective", type=click.Choice(["value", "co2"]), default="value")
@click.option("--budget", type=float, help="Most net annual cost allowed (NOK).")
@click.option("--min-co2", type=float, help="CO2 avoided the plan must reach (t/yr).")
@click.option("--frontier", "frontier_points", type=int, default=0,
              help="Points on the cost-versus-CO2 frontier.")
@click.option("--time-limit", type=float, default=60.0, show_default=True)
@click.option("--gap", type=float, default=1e-4, show_default=True)
@click.option("--county", help="Plan for one county (the plan's scope).")
@click.option("--municipality", help="Plan for one municipality.")
@click.option("--park", help="Plan for one park (by id).")
@click.option("--scenario", default="",
              help="Save as a named scenario: the live proposals are left alone.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def optimize(ctx: click.Context, objective: str, budget: float | None, min_co2: float | None,
             frontier_points: int, time_limit: float, gap: float, county: str | None,
             municipality: str | None, park: str | None, scenario: str, fmt: str) -> None:
    """Propose the best exchanges and facilities; the plan is stored as the proposals of
    its scope (everything, or the county, municipality or park named), or as a scenario.
    Agreed and operating exchanges are facts it starts from."""
    data, plan = _optimise(ctx, objective=objective, budget_nok=budget, min_co2_t=min_co2,
                           frontier_points=frontier_points, time_limit_s=time_limit, gap=gap,
                           county=county, municipality=municipality, park=park,
                           scenario=scenario)
    if fmt == "json":
        click.echo(json_text(plan_json(plan, data=data, taxonomy=_taxonomy(ctx)),
                             ensure_ascii=False, indent=1))
    else:
        click.echo(format_plan(plan, data=data, taxonomy=_taxonomy(ctx)))
    if plan.status not in ("optimal", "feasible"):
        sys.exit(3)


@cli.group("scenario")
def scenario_group() -> None:
    """Named what-if plans: list, compare side by side, adopt."""


@scenario_group.command("list")
@click.pass_context
def scenario_list(ctx: click.Context) -> None:
    """The scenarios saved, newest first."""
    click.echo(format_scenarios(services.scenarios(_store(ctx))))


@scenario_group.command("compare")
@click.argument("plan_ids", nargs=-1, required=True)
@click.pass_context
def scenario_compare(ctx: click.Context, plan_ids: tuple[str, ...]) -> None:
    """Plans (scenarios or live plans) side by side."""
    try:
        cmp = services.compare_scenarios(_store(ctx), list(plan_ids))
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_comparison(cmp))


@scenario_group.command("adopt")
@click.argument("plan_id")
@click.option("--by", required=True, help="Who adopts it.")
@click.pass_context
def scenario_adopt(ctx: click.Context, plan_id: str, by: str) -> None:
    """Make a scenario's exchanges the live proposals of its scope."""
    try:
        adopted = services.adopt_scenario(_store(ctx), plan_id, by=by)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"scenario {adopted.scenario!r} ({adopted.id}) adopted: "
               f"{len(adopted.exchanges)} proposal(s) for the {adopted.scope.kind} "
               f"{adopted.scope.value or ''}".rstrip())


@cli.command()
@click.option("--output", type=click.Path(dir_okay=False), default="symbiosis-network.html",
              show_default=True, help="Where to write the network picture.")
@click.pass_context
def demo(ctx: click.Context, output: str) -> None:
    """Load the Norwegian cases, match, optimise, report, and draw the network."""
    from web.network import network_graph, network_html

    store = _store(ctx)
    click.echo(f"== Loading the Norwegian cases into {store.url}")
    result, documented = services.load_demo(store, taxonomy=_taxonomy(ctx))
    d = result.dataset
    click.echo(f"imported {len(d.companies)} companies, {len(d.parks)} parks, "
               f"{len(d.flows)} flows, {len(d.processes)} processes, "
               f"{len(documented)} documented exchanges")
    click.echo("\n== Exchanges the cases document (realised: agreed or operating)")
    for e in documented:
        since = f" since {e.start_year}" if e.start_year else ""
        until = f" until {e.end_year}" if e.end_year else ""
        amount = "amount unknown" if e.amount is None else f"{e.amount:,.0f} {e.unit}/yr"
        co2 = "" if e.co2_avoided_t is None else f", {e.co2_avoided_t:,.0f} t CO2/yr avoided"
        click.echo(f"  {e.status:<9} {e.supply_flow} -> {e.demand_flow}{since}{until}: "
                   f"{amount}{co2}")
    ind = area_indicators(store.dataset(), store.exchanges())
    click.echo(f"indicators: {ind.symbioses} symbioses (company pairs with realised "
               f"exchanges), {ind.co2_avoided_t:,.0f} t CO2/yr avoided by them, "
               f"{ind.energy_recovered_mwh:,.0f} MWh/yr recovered; "
               f"{len(ind.unquantified)} exchange(s) without an amount are not counted in "
               f"the sums")
    cands = services.explain(store, store.candidates(), taxonomy=_taxonomy(ctx))
    click.echo(f"\n== Candidates ({len(cands)})")
    click.echo(format_candidates(cands))
    click.echo("\n== Documented exchanges recovered")
    click.echo(case_report(store.dataset(), cands, services.documented_exchanges()))
    click.echo("\n== Optimised plan (net annual value)")
    data, plan = _optimise(ctx, objective="value", frontier_points=4, time_limit_s=30.0)
    click.echo(format_plan(plan, data=data, taxonomy=_taxonomy(ctx)))
    exchanges = store.exchanges()
    html = network_html(network_graph(data, cands, exchanges, taxonomy=_taxonomy(ctx)),
                        title="Norwegian symbiosis cases")
    out = Path(output).resolve()
    out.write_text(html, encoding="utf-8")
    click.echo(f"\nNetwork picture: {out}")


@cli.command("exchange")
@click.argument("exchange_id")
@click.argument("status", type=click.Choice(["agreed", "operating", "ended"]))
@click.option("--by", required=True, help="Who changes the status.")
@click.option("--note", default="")
@click.option("--start-year", type=int)
@click.option("--end-year", type=int, help="With 'ended': the year it ends (default: this "
              "year); never before the start year.")
@click.pass_context
def exchange_cmd(ctx: click.Context, exchange_id: str, status: str, by: str, note: str,
                 start_year: int | None, end_year: int | None) -> None:
    """Move an exchange along proposed -> agreed -> operating -> ended (kept as history)."""
    try:
        before, changed = services.advance_exchange(_store(ctx), exchange_id, status, by=by,
                                                    note=note, start_year=start_year,
                                                    end_year=end_year)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{changed.id}: {before} -> {changed.status}")


@cli.command("start-exchange")
@click.argument("supply_flow")
@click.argument("demand_flow")
@click.option("--by", required=True, help="Who starts it (kept in its history).")
@click.option("--note", default="", help="Whom you contacted, what you proposed.")
@click.option("--amount", type=float, help="Per year in the supply flow's unit, at most the "
              "candidate's (default: the candidate's amount, value and CO2).")
@click.pass_context
def start_exchange_cmd(ctx: click.Context, supply_flow: str, demand_flow: str, by: str,
                       note: str, amount: float | None) -> None:
    """Start an exchange by hand on a candidate pair: proposed, then moved on with
    `symbiosis exchange ID agreed|operating|ended`. A pair with an exchange under way is
    refused; later plans hold the exchange as a fact."""
    try:
        e = services.start_exchange(_store(ctx), supply_flow, demand_flow, by=by, note=note,
                                    amount=amount)
    except SymbiosisError as exc:
        raise click.ClickException(str(exc)) from exc
    amount_text = "amount unknown" if e.amount is None else f"{e.amount:,.0f} {e.unit}/yr"
    value = "value unknown" if e.value_nok is None else f"{e.value_nok:,.0f} NOK/yr"
    co2 = "CO2 unknown" if e.co2_avoided_t is None else f"{e.co2_avoided_t:,.1f} t CO2/yr"
    click.echo(f"{e.id}: {e.status} {e.supply_flow} -> {e.demand_flow}, {amount_text}, "
               f"{value}, {co2}")


@cli.command()
@click.option("--county", callback=_place)
@click.option("--municipality", callback=_place)
@click.option("--park")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "html"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False),
              help="Write to this file instead of standard output.")
@click.pass_context
def report(ctx: click.Context, county: str | None, municipality: str | None,
           park: str | None, fmt: str, output: str | None) -> None:
    """Indicators of an area toward the 2030 targets (HTML: one page, readable offline)."""
    text = services.report(_store(ctx), county=county, municipality=municipality, park=park,
                           fmt=fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        if fmt == "html":
            click.echo(f"report written to {Path(output).resolve()}")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv", "json"]),
              default="geojson")
@click.pass_context
def export(ctx: click.Context, fmt: str) -> None:
    """Companies and exchanges as GeoJSON (opens in QGIS), CSV or JSON."""
    click.echo(services.export(_store(ctx), fmt), nl=False)


@cli.command("plan-park")
@click.argument("park_id")
@click.option("--budget", type=float, help="Most net annual cost allowed (NOK).")
@click.option("--time-limit", type=float, default=60.0, show_default=True)
@click.pass_context
def plan_park_cmd(ctx: click.Context, park_id: str, budget: float | None,
                  time_limit: float) -> None:
    """Least-cost plan that brings a park to its net-zero target (or the best reachable)."""
    try:
        data, pp = services.plan_park(_store(ctx), park_id, budget_nok=budget,
                                      time_limit_s=time_limit, taxonomy=_taxonomy(ctx))
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    park = next(p for p in data.parks if p.id == park_id)
    click.echo(f"Park {park.name}: baseline {pp.baseline_t_co2e:,.0f} t CO2e/yr, target "
               f"{pp.target_t_co2e:,.0f}, already avoided {pp.already_avoided_t:,.0f}, "
               f"needed {pp.required_t:,.0f}")
    click.echo(f"  {'reachable' if pp.reachable else 'NOT reachable'}: reduction "
               f"{pp.reduction_t:,.0f} t/yr, residual {pp.residual_t:,.0f} t/yr, net cost "
               f"{pp.cost_nok:,.0f} NOK/yr")
    if pp.message:
        click.echo(f"  {pp.message}")
    click.echo(format_plan(pp.plan, data=data, taxonomy=_taxonomy(ctx)))
    for year, residual in pp.trajectory:
        click.echo(f"  {year}: residual {residual:,.0f} t CO2e")


_USERS = click.option("--users", "users_db", envvar="SYMBIOSIS_USERS",
                      default="symbiosis-users.sqlite", show_default=True,
                      type=click.Path(dir_okay=False),
                      help="Accounts file of the web front end (also SYMBIOSIS_USERS).")


@cli.command("migrate-places")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@_USERS
@click.pass_context
def migrate_places_cmd(ctx: click.Context, dry_run: bool, users_db: str) -> None:
    """Rewrite stored counties and municipalities (and the counties of county staff in the
    accounts file, when it exists) to the names of the 2024 register; list what the
    register does not know, left as it is."""
    result = services.normalise_places(_store(ctx), dry_run=dry_run)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{verb} {len(result.changed)} compan(ies) and park(s):")
    for c in result.changed:
        before, after = (" / ".join(x or "-" for x in pair) for pair in (c.before, c.after))
        click.echo(f"  {c.kind} {c.id}: {before} -> {after}")
    for kind, item, note in result.warnings:
        click.echo(f"  note: {kind} {item}, {note.field}: {note.message}")
    if result.unmatched:
        click.echo(f"not matched, left as they are ({len(result.unmatched)}):")
        for kind, item, note in result.unmatched:
            click.echo(f"  {kind} {item}, {note.field}: {note.message}")
    if Path(users_db).exists():
        from web.db import Accounts

        accounts = Accounts(users_db)
        try:
            if dry_run:
                return
            for username, was, now in accounts.normalise_counties():
                click.echo(f"  user {username}: county {was} -> {now}" if now else
                           f"  user {username}: county {was!r} not in the register, "
                           "left as it is")
        finally:
            accounts.close()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--threads", type=int, default=8, show_default=True)
@_USERS
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, users_db: str) -> None:
    """Run the web front end (waitress) on the configured store."""
    from waitress import serve as waitress_serve

    from web import create_app
    from web.db import Accounts

    app = create_app({"STORE_URL": ctx.obj["store_url"], "USERS_DB": users_db,
                      "FACTORS": ctx.obj.get("factors")})
    accounts = Accounts(users_db)
    if not accounts.users():
        click.echo("No users yet: create one with "
                   "`symbiosis user add NAME --role admin`.", err=True)
    accounts.close()
    with app.app_context():
        from web.data import get_store

        click.echo(f"symbiosis on http://{host}:{port}/ with store {get_store().url}")
    waitress_serve(app, host=host, port=port, threads=threads, ident="symbiosis")


@cli.group()
def user() -> None:
    """Accounts of the web front end."""


@contextlib.contextmanager
def _accounts(users_db: str) -> Iterator[Any]:
    """The accounts file of the web front end, closed afterwards."""
    from web.db import Accounts

    accounts = Accounts(users_db)
    try:
        yield accounts
    finally:
        accounts.close()


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "cluster_manager", "county_staff",
                                           "viewer"]), required=True)
@click.option("--cluster", help="The cluster a cluster manager edits.")
@click.option("--county", callback=_place, help="The county county staff read.")
@click.option("--password", envvar="SYMBIOSIS_PASSWORD", default=None,
              help="Read from SYMBIOSIS_PASSWORD or asked for when not given.")
@click.option("--token", is_flag=True, help="Also make an API token and print it once.")
@_USERS
def user_add(username: str, role: str, cluster: str | None, county: str | None,
             password: str | None, token: bool, users_db: str) -> None:
    """Create a user (passwords are stored hashed)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _accounts(users_db) as accounts:
        made = accounts.add(username, password, role, cluster=cluster, county=county)
        click.echo(f"user {made.username} ({made.role}) added to {users_db}")
        if token:
            click.echo(f"API token (shown once): {accounts.new_token(username)}")


@user.command("token")
@click.argument("username")
@_USERS
def user_token(username: str, users_db: str) -> None:
    """Make a new API token for a user (the old one stops working)."""
    with _accounts(users_db) as accounts:
        click.echo(accounts.new_token(username))


@user.command("list")
@_USERS
def user_list(users_db: str) -> None:
    """List users and their roles."""
    with _accounts(users_db) as accounts:
        for u in accounts.users():
            state = "\tdisabled" if u.disabled else ""
            click.echo(f"{u.username}\t{u.role}\t{u.cluster or ''}\t{u.county or ''}{state}")


@user.command("password")
@click.argument("username")
@click.option("--password", envvar="SYMBIOSIS_PASSWORD", default=None,
              help="Read from SYMBIOSIS_PASSWORD or asked for when not given.")
@_USERS
def user_password(username: str, password: str | None, users_db: str) -> None:
    """Set a user's password (the user's sessions end)."""
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _accounts(users_db) as accounts:
        accounts.set_password(username, password)
        click.echo(f"password of {username} changed; their sessions have ended")


@user.command("disable")
@click.argument("username")
@_USERS
def user_disable(username: str, users_db: str) -> None:
    """Stop a user signing in or using an API token (their sessions end)."""
    with _accounts(users_db) as accounts:
        accounts.set_disabled(username, True)
        click.echo(f"user {username} disabled")


@user.command("enable")
@click.argument("username")
@_USERS
def user_enable(username: str, users_db: str) -> None:
    """Let a disabled user sign in again."""
    with _accounts(users_db) as accounts:
        accounts.set_disabled(username, False)
        click.echo(f"user {username} enabled")


@user.command("delete")
@click.argument("username")
@click.confirmation_option(prompt="Delete this user for good?")
@_USERS
def user_delete(username: str, users_db: str) -> None:
    """Delete a user for good (their sessions and API token stop working)."""
    with _accounts(users_db) as accounts:
        accounts.delete(username)
        click.echo(f"user {username} deleted")


def main() -> None:
    try:
        cli(standalone_mode=False, obj={})
    except ImportValidationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except SymbiosisError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit:
        raise


if __name__ == "__main__":
    main()
