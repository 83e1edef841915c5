"""Every Cypher statement of the project: constants, values only as parameters.

Updates replace a node's properties whole (``SET n = r.props``): a property left out
because it equals its default must not keep an older value. Written for Neo4j 5; avoids
what other Bolt servers handle differently (no full-text or
point indexes, no ``id()``, ``COUNT {}`` instead of ``size((pattern))``).
"""

from __future__ import annotations

from typing import LiteralString

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT flow_id IF NOT EXISTS FOR (n:Flow) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT process_id IF NOT EXISTS FOR (n:Process) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT park_id IF NOT EXISTS FOR (n:Park) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX flow_resource IF NOT EXISTS FOR (n:Flow) ON (n.resource)",
    "CREATE INDEX company_county IF NOT EXISTS FOR (n:Company) ON (n.county)",
    "CREATE INDEX plan_scope IF NOT EXISTS FOR (n:Plan) ON (n.scope)",
)

# lists of ids are unwound and looked up one by one through the unique index: a
# ``WHERE n.id IN $ids`` filter may be run as a scan that tests every node against the list
EXISTING_COMPANIES: LiteralString = """
UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN c.id AS id
"""
EXISTING_FLOWS: LiteralString = """
UNWIND $ids AS id MATCH (f:Flow {id: id}) RETURN f.id AS id
"""

MERGE_PARKS: LiteralString = """
UNWIND $rows AS r
MERGE (p:Park {id: r.id}) SET p = r.props
"""
MERGE_COMPANIES: LiteralString = """
UNWIND $rows AS r
MERGE (c:Company {id: r.id}) SET c = r.props
WITH c, r
OPTIONAL MATCH (c)-[old:IN_PARK]->(:Park)
DELETE old
"""
LINK_PARKS: LiteralString = """
UNWIND $rows AS r
MATCH (c:Company {id: r.id})
MERGE (p:Park {id: r.park_id})
ON CREATE SET p.name = r.park_id
MERGE (c)-[:IN_PARK]->(p)
"""
CREATE_COMPANIES: LiteralString = """
UNWIND $rows AS r
CREATE (c:Company) SET c = r.props
FOREACH (pid IN CASE WHEN r.park_id IS NULL THEN [] ELSE [r.park_id] END |
  MERGE (p:Park {id: pid})
  ON CREATE SET p.name = pid
  CREATE (c)-[:IN_PARK]->(p))
WITH c, r
UNWIND r.flows AS props
CREATE (c)-[:HAS_FLOW]->(f:Flow) SET f = props
"""
CREATE_FLOWS: LiteralString = """
UNWIND $rows AS r
MATCH (c:Company {id: r.company_id})
CREATE (c)-[:HAS_FLOW]->(f:Flow) SET f = r.props
"""
MERGE_FLOWS: LiteralString = """
UNWIND $rows AS r
MATCH (c:Company {id: r.company_id})
MERGE (f:Flow {id: r.id}) SET f = r.props
MERGE (c)-[:HAS_FLOW]->(f)
"""
UNLINK_MOVED_FLOWS: LiteralString = """
UNWIND $rows AS r
MATCH (other:Company)-[h:HAS_FLOW]->(f:Flow {id: r.id})
WHERE other.id <> r.company_id
DELETE h
"""
MERGE_PROCESSES: LiteralString = """
UNWIND $rows AS r
MATCH (c:Company {id: r.company_id})
MERGE (p:Process {id: r.id}) SET p = r.props
MERGE (c)-[:HAS_PROCESS]->(p)
WITH p
OPTIONAL MATCH (p)<-[old:INPUT_OF|OUTPUT_OF]-(:Flow)
DELETE old
"""
UNLINK_CONVERSIONS: LiteralString = """
UNWIND $ids AS pid
MATCH (p:Process {id: pid})<-[:INPUT_OF]-(:Flow)-[k:CONVERTS_TO]->(:Flow)
WHERE k.process = pid
DELETE k
"""
LINK_PROCESS_FLOWS: LiteralString = """
UNWIND $rows AS r
MATCH (p:Process {id: r.process}), (f:Flow {id: r.flow})
FOREACH (_ IN CASE WHEN r.side = 'input' THEN [1] ELSE [] END |
  CREATE (f)-[:INPUT_OF {coef: r.coef}]->(p))
FOREACH (_ IN CASE WHEN r.side = 'output' THEN [1] ELSE [] END |
  CREATE (f)-[:OUTPUT_OF {coef: r.coef}]->(p))
"""
LINK_CONVERSIONS: LiteralString = """
UNWIND $rows AS r
MATCH (a:Flow {id: r.input}), (b:Flow {id: r.output})
CREATE (a)-[:CONVERTS_TO {process: r.process}]->(b)
"""

DELETE_COMPANY: LiteralString = """
MATCH (c:Company {id: $id})
OPTIONAL MATCH (c)-[:HAS_FLOW|HAS_PROCESS]->(owned)
DETACH DELETE owned, c
RETURN count(DISTINCT c) AS deleted
"""
FLOW_IN_PROCESS: LiteralString = """
MATCH (f:Flow {id: $id})-[:INPUT_OF|OUTPUT_OF]->(p:Process) RETURN p.id AS process LIMIT 1
"""
DELETE_FLOW: LiteralString = """
MATCH (f:Flow {id: $id}) DETACH DELETE f RETURN count(*) AS deleted
"""
DELETE_CANDIDATES: LiteralString = "MATCH (:Flow)-[r:CAN_FEED]->(:Flow) DELETE r"
CANDIDATE_FINGERPRINTS: LiteralString = """
MATCH (:Flow)-[r:CAN_FEED]->(:Flow)
RETURN r.supply_flow AS supply_flow, r.demand_flow AS demand_flow, r.fingerprint AS fingerprint
"""
DELETE_SOME_CANDIDATES: LiteralString = """
UNWIND $rows AS r
MATCH (:Flow {id: r.supply_flow})-[c:CAN_FEED]->(d:Flow)
WHERE d.id = r.demand_flow
DELETE c
"""
# the links are gathered first: deleting a node's links while its other links are still
# being read leaves some of them (a link with both ends among the ids was seen twice)
DELETE_CANDIDATES_OF: LiteralString = """
UNWIND $ids AS id
MATCH (:Flow {id: id})-[r:CAN_FEED]-(:Flow)
WITH DISTINCT r
DELETE r
"""
CREATE_CANDIDATES: LiteralString = """
UNWIND $rows AS r
MATCH (s:Flow {id: r.supply_flow}), (d:Flow {id: r.demand_flow})
CREATE (s)-[c:CAN_FEED]->(d) SET c += r.props
"""
# A plan node keeps its scope, whether its exchanges are the live proposals of that scope
# (``live``) and the supply flows they start at (``supplies``): a later plan of the scope
# finds them through the scope index and the flows' ids, never by scanning the links.
LIVE_PLANS: LiteralString = """
MATCH (p:Plan {scope: $scope}) WHERE p.live = true
RETURN p.id AS id, p.supplies AS supplies
"""
DELETE_PLAN_PROPOSALS: LiteralString = """
UNWIND $rows AS r
MATCH (:Flow {id: r.supply})-[e:FEEDS]->(:Flow)
WHERE e.plan_id = r.plan_id AND e.status = 'proposed'
DELETE e
"""
DELETE_PROPOSED_PAIRS: LiteralString = """
UNWIND $rows AS r
MATCH (:Flow {id: r.supply_flow})-[e:FEEDS]->(d:Flow)
WHERE d.id = r.demand_flow AND e.status = 'proposed'
DELETE e
"""
UNLIVE_PLANS: LiteralString = """
UNWIND $ids AS id MATCH (p:Plan {id: id}) SET p.live = false
"""
# plans stored before plans had a scope: each counts as one for everything, live with the
# proposals it made (read once, when the store is opened)
UNSCOPED_PLAN: LiteralString = "MATCH (p:Plan) WHERE p.scope IS NULL RETURN p.id AS id LIMIT 1"
SCOPE_OLD_PLANS: LiteralString = """
MATCH (p:Plan) WHERE p.scope IS NULL
SET p.scope = 'all', p.scenario = '', p.live = true, p.supplies = []
"""
OLD_PLAN_SUPPLIES: LiteralString = """
MATCH (s:Flow)-[e:FEEDS]->(:Flow)
WHERE e.status = 'proposed' AND e.plan_id IS NOT NULL
RETURN DISTINCT e.plan_id AS plan_id, s.id AS supply
"""
SET_PLAN_SUPPLIES: LiteralString = """
UNWIND $rows AS r MATCH (p:Plan {id: r.id}) SET p.supplies = r.supplies
"""
DELETE_EXCHANGE: LiteralString = "MATCH (:Flow)-[e:FEEDS {id: $id}]->(:Flow) DELETE e"
CREATE_EXCHANGES: LiteralString = """
UNWIND $rows AS r
MATCH (s:Flow {id: r.supply_flow}), (d:Flow {id: r.demand_flow})
CREATE (s)-[e:FEEDS]->(d) SET e += r.props
"""
MERGE_PLAN: LiteralString = """
MERGE (p:Plan {id: $id})
SET p.created_at = $created_at, p.json = $json, p.scope = $scope, p.scenario = $scenario,
    p.live = $live, p.supplies = $supplies
"""
CLEAR: LiteralString = "MATCH (n) DETACH DELETE n"

COMPANIES: LiteralString = """
MATCH (c:Company)
WHERE ($county IS NULL OR c.county = $county)
  AND ($municipality IS NULL OR c.municipality = $municipality)
  AND ($park_id IS NULL OR c.park_id = $park_id)
RETURN properties(c) AS props ORDER BY c.id
"""
FLOWS_OF: LiteralString = """
UNWIND $ids AS id
MATCH (:Company {id: id})-[:HAS_FLOW]->(f:Flow)
RETURN properties(f) AS props ORDER BY f.id
"""
PROCESSES_OF: LiteralString = """
UNWIND $ids AS id
MATCH (:Company {id: id})-[:HAS_PROCESS]->(p:Process)
RETURN properties(p) AS props ORDER BY p.id
"""
PARKS: LiteralString = "MATCH (p:Park) RETURN properties(p) AS props ORDER BY p.id"
FLOWS: LiteralString = """
MATCH (c:Company)-[:HAS_FLOW]->(f:Flow)
WHERE ($company_id IS NULL OR c.id = $company_id)
  AND ($resource IS NULL OR f.resource = $resource)
  AND ($direction IS NULL OR f.direction = $direction)
  AND ($county IS NULL OR c.county = $county)
  AND ($park_id IS NULL OR c.park_id = $park_id)
RETURN properties(f) AS props ORDER BY f.id
"""
# anchored on the resource index; the box is tested on the company
POINTS: LiteralString = """
UNWIND $resources AS res
MATCH (c:Company)-[:HAS_FLOW]->(f:Flow {resource: res})
WHERE c.lat >= $south AND c.lat <= $north AND c.lon >= $west AND c.lon <= $east
RETURN f.id AS id, c.id AS company, f.resource AS resource, f.direction AS direction,
       c.lat AS lat, c.lon AS lon
"""
FLOWS_BY_ID: LiteralString = """
UNWIND $ids AS id MATCH (f:Flow {id: id}) RETURN properties(f) AS props
"""
COMPANIES_BY_ID: LiteralString = """
UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN properties(c) AS props
"""
CANDIDATES_OF: LiteralString = """
UNWIND $ids AS id
MATCH (:Flow {id: id})-[r:CAN_FEED]-(:Flow)
RETURN DISTINCT properties(r) AS props
"""
KTH_SCORES: LiteralString = """
UNWIND $ids AS id
MATCH (:Flow {id: id})-[r:CAN_FEED]-(:Flow)
WITH id, r.score AS score ORDER BY score DESC
WITH id, collect(score) AS scores
WHERE size(scores) >= $k
RETURN id, scores[$k - 1] AS score
"""
COMPANY_CANDIDATES: LiteralString = """
MATCH (:Company {id: $company_id})-[:HAS_FLOW]->(:Flow)-[r:CAN_FEED]-(:Flow)
RETURN DISTINCT properties(r) AS props
"""
CANDIDATES: LiteralString = """
MATCH (s:Flow)-[r:CAN_FEED]->(d:Flow)
WHERE ($flow_id IS NULL OR s.id = $flow_id OR d.id = $flow_id)
  AND ($resource IS NULL OR r.resource = $resource OR r.demand_resource = $resource)
RETURN properties(r) AS props
"""
# anchored on the county's companies (index on county); a link with both ends in the
# county comes twice and is counted once by the caller
COUNTY_CANDIDATES: LiteralString = """
MATCH (:Company {county: $county})-[:HAS_FLOW]->(:Flow)-[r:CAN_FEED]-(:Flow)
WHERE ($flow_id IS NULL OR r.supply_flow = $flow_id OR r.demand_flow = $flow_id)
  AND ($resource IS NULL OR r.resource = $resource OR r.demand_resource = $resource)
RETURN properties(r) AS props
"""
COUNTY_COMPANIES: LiteralString = "MATCH (c:Company) WHERE c.county = $county RETURN c.id AS id"
PLANS: LiteralString = "MATCH (p:Plan) RETURN p.json AS json"
EXCHANGES: LiteralString = """
MATCH (:Flow)-[e:FEEDS]->(:Flow)
WHERE ($status IS NULL OR e.status = $status)
RETURN properties(e) AS props
"""
# Directed paths alternate by construction: CAN_FEED runs supply -> demand and
# CONVERTS_TO demand (process input) -> supply (process output). The bound is a literal
# (Cypher allows no parameter there): 11 hops = 6 links; the store filters by $max_steps.
CHAINS: LiteralString = """
MATCH p = (a:Flow {id: $id})-[:CAN_FEED|CONVERTS_TO*1..11]->(b:Flow)
WHERE type(last(relationships(p))) = 'CAN_FEED'
RETURN [n IN nodes(p) | n.id] AS ids
"""
COUNT_LABEL: dict[str, LiteralString] = {
    "Company": "MATCH (n:Company) RETURN count(n) AS n",
    "Flow": "MATCH (n:Flow) RETURN count(n) AS n",
    "Process": "MATCH (n:Process) RETURN count(n) AS n",
    "Park": "MATCH (n:Park) RETURN count(n) AS n",
    "CAN_FEED": "MATCH (:Flow)-[r:CAN_FEED]->(:Flow) RETURN count(r) AS n",
    "FEEDS": "MATCH (:Flow)-[r:FEEDS]->(:Flow) RETURN count(r) AS n",
    "plans": "MATCH (n:Plan) RETURN count(n) AS n",
}
ANY_NODE: LiteralString = "MATCH (n) RETURN count(n) AS n"
PUT_SETTING: LiteralString = "MERGE (s:Setting {key: $key}) SET s.value = $value"
SETTINGS: LiteralString = "MATCH (s:Setting) RETURN s.key AS key, s.value AS value"
