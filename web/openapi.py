"""The OpenAPI 3.1 description of ``/api/v1``."""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]


def _q(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": kind}}


def _p(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _ok(description: str, schema: str = "Object", code: str = "200") -> dict[str, Any]:
    return {code: {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Forbidden"}}


_SEARCH = [_q("county", "either side in this county"),
           _q("municipality", "either side in this municipality"),
           _q("resource", "taxonomy key, alias or EWC code"),
           _q("company", "either side is this company (a side hidden from the caller "
                         "is not searched by its company)"),
           _q("max_distance", "routed km at most (a hidden row: the top of its distance "
                              "band)", "number"),
           _q("min_value", "NOK per year at least (a hidden row has no value to pass)",
              "number"),
           _q("sort", "score | distance_km | value_nok | co2_avoided_t | amount (hidden "
                      "rows last)"),
           _q("order", "asc | desc"), _q("limit", "rows (default 100)", "integer"),
           _q("offset", "rows to skip", "integer")]


def openapi_document() -> dict[str, Any]:
    obj = {"type": "object", "additionalProperties": True}
    return {
        "openapi": "3.1.0",
        "info": {"title": "symbiosis API", "version": "1",
                 "description": "Companies, flows, candidates, plans and exchanges of an "
                                "industrial-symbiosis graph. Confidential flows are "
                                "anonymised for callers without rights to them."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "symbiosis user token NAME"}},
            "schemas": {
                "Object": obj,
                "Error": {"type": "object", "properties": {
                    "error": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "table": {"type": "string"}, "row": {"type": "integer"},
                        "field": {"type": "string"}, "message": {"type": "string"},
                        "value": {"type": "string"},
                        "suggestions": {"type": "array", "items": {
                            "type": "object", "properties": {
                                "resource": {"type": "string"},
                                "confidence": {"type": "number"}}}}}}}},
                    "required": ["error"]},
                "Rows": {"type": "object", "properties": {
                    "companies": {"type": "array", "items": obj},
                    "flows": {"type": "array", "items": obj},
                    "mapping": {"type": "object",
                                "description": "confirmed readings of resource cells, "
                                               "text: resource key; saved for the cluster",
                                "additionalProperties": {"type": "string"}}}},
                "Optimize": {"type": "object", "properties": {
                    "objective": {"type": "string", "enum": ["value", "co2"]},
                    "budget": {"type": "number"}, "time_limit": {"type": "number"},
                    "frontier_points": {"type": "integer"},
                    "county": {"type": "string", "description": "plan for this county"},
                    "municipality": {"type": "string",
                                     "description": "plan for this municipality"},
                    "park": {"type": "string", "description": "plan for this park (id)"},
                    "scenario": {"type": "string",
                                 "description": "save as a scenario of this name: the live "
                                                "proposals are left alone"},
                    "wait": {"oneOf": [{"type": "boolean"}, {"type": "number"}]}}},
                "ExchangeStart": {
                    "type": "object", "required": ["supply_flow", "demand_flow"],
                    "description": "an exchange started by hand on a stored candidate pair "
                                   "(a pair matching did not find is refused: correct the "
                                   "flows so that it does)",
                    "properties": {
                        "supply_flow": {"type": "string"}, "demand_flow": {"type": "string"},
                        "note": {"type": "string",
                                 "description": "whom you contacted, what you proposed"},
                        "amount": {"type": "number", "exclusiveMinimum": 0,
                                   "description": "per year in the supply flow's unit, at "
                                                  "most the candidate's; left out: the "
                                                  "candidate's amount, value and CO2 (null "
                                                  "where unknown)"}}},
                "StatusChange": {"type": "object", "required": ["status"], "properties": {
                    "status": {"type": "string", "enum": ["agreed", "operating", "ended"]},
                    "note": {"type": "string"}, "start_year": {"type": "integer"},
                    "end_year": {"type": "integer",
                                 "description": "with 'ended'; never before the start year"}}},
            },
            "responses": {
                "Unauthorized": {"description": "no or unknown token", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "Forbidden": {"description": "the user's role does not allow this",
                              "content": {"application/json": {"schema": {
                                  "$ref": "#/components/schemas/Error"}}}},
                "Invalid": {"description": "bad rows; nothing stored", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
        "paths": {
            "/openapi.json": {"get": {"summary": "this document", "security": [],
                                      "responses": {"200": {"description": "OpenAPI"}}}},
            "/companies": {
                "get": {"summary": "companies", "parameters": [
                    _q("county", "county"), _q("municipality", "municipality"),
                    _q("cluster", "cluster"), _q("park_id", "park")],
                    "responses": _ok("companies")},
                "post": {"summary": "insert or update companies and flows (import columns)",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/Rows"}}}},
                         "responses": {**_ok("stored", code="201"),
                                       "422": {"$ref": "#/components/responses/Invalid"}}}},
            "/companies/{company_id}": {
                "parameters": [_p("company_id")],
                "get": {"summary": "one company with the flows the caller may see and, per "
                                   "flow, its best three partners (direct) and, apart, its "
                                   "best three conversions through a facility (via)",
                        "responses": {**_ok("company"), "404": {"description": "unknown"}}},
                "delete": {"summary": "delete a company with its flows",
                           "responses": {"204": {"description": "deleted"},
                                         "401": {"$ref": "#/components/responses/Unauthorized"},
                                         "403": {"$ref": "#/components/responses/Forbidden"},
                                         "404": {"description": "unknown"}}}},
            "/companies/{company_id}/cluster": {
                "parameters": [_p("company_id")],
                "post": {"summary": "move a company, with its flows and processes, to another "
                                    "cluster (admins only)",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"type": "object", "required": ["cluster"],
                                        "properties": {"cluster": {"type": "string"}}}}}},
                         "responses": {**_ok("the company"),
                                       "403": {"$ref": "#/components/responses/Forbidden"},
                                       "404": {"description": "unknown"}}}},
            "/flows": {"get": {"summary": "flows (hidden ones anonymised)", "parameters": [
                _q("company", "company id"), _q("resource", "taxonomy key or alias"),
                _q("direction", "supply | demand")], "responses": _ok("flows")}},
            "/candidates": {"get": {"summary": "candidate search", "parameters": _SEARCH,
                                    "responses": _ok("candidates")}},
            "/plans": {
                "get": {"summary": "stored plans, newest first", "responses": _ok("plans")},
                "post": {"summary": "start the optimizer as a background job; its plan is "
                                    "stored as the proposals of its scope (or as a named "
                                    "scenario). With \"wait\": true (or "
                                    "seconds) the call answers with the plan when done",
                         "requestBody": {"content": {"application/json": {"schema": {
                             "$ref": "#/components/schemas/Optimize"}}}},
                         "responses": {**_ok("the plan (when waited for)", code="201"),
                                       "202": {"description": "the job, still running"}}}},
            "/jobs/{job_id}": {"parameters": [_p("job_id")],
                               "get": {"summary": "a background job: state, phase, progress "
                                                  "and, when done, its plan",
                                       "responses": {**_ok("job"),
                                                     "404": {"description": "unknown"}}}},
            "/jobs/{job_id}/cancel": {"parameters": [_p("job_id")],
                                      "post": {"summary": "cancel a running job",
                                               "responses": _ok("job")}},
            "/plans/{plan_id}": {"parameters": [_p("plan_id")],
                                 "get": {"summary": "one plan",
                                         "responses": {**_ok("plan"),
                                                       "404": {"description": "unknown"}}}},
            "/scenarios": {"get": {"summary": "plans saved as named scenarios, newest first",
                                   "responses": _ok("scenarios")}},
            "/scenarios/compare": {"get": {
                "summary": "plans (scenarios or live plans) side by side",
                "parameters": [_q("ids", "plan ids, comma-separated"),
                               _q("id", "a plan id (repeat it)")],
                "responses": {**_ok("the comparison"),
                              "404": {"description": "unknown plan"}}}},
            "/scenarios/{plan_id}/adopt": {
                "parameters": [_p("plan_id")],
                "post": {"summary": "make a scenario's exchanges the live proposals of its "
                                    "scope (those of earlier plans of the scope are dropped)",
                         "responses": {**_ok("the adopted plan"),
                                       "400": {"description": "not a scenario, or adopted"},
                                       "404": {"description": "unknown"}}}},
            "/exchanges": {
                "get": {"summary": "exchanges with their history",
                        "parameters": [_q("status", "lifecycle status")],
                        "responses": _ok("exchanges")},
                "post": {"summary": "start an exchange on a candidate pair: proposed, with "
                                    "the note, who and when in its history; then move it on "
                                    "with /exchanges/{exchange_id}/status. Later plans hold "
                                    "it as a fact (never dropped, never proposed twice)",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/ExchangeStart"}}}},
                         "responses": {**_ok("the exchange", code="201"),
                                       "400": {"description": "not a candidate pair, or a "
                                                              "bad amount"},
                                       "404": {"description": "no such flow (or one hidden "
                                                              "from the caller)"},
                                       "409": {"description": "the pair has an exchange "
                                                              "under way (proposed, agreed "
                                                              "or operating)"}}}},
            "/exchanges/{exchange_id}": {
                "parameters": [_p("exchange_id")],
                "get": {"summary": "one exchange with its history (status, when, who, note)",
                        "responses": {**_ok("the exchange"),
                                      "404": {"description": "unknown"}}}},
            "/exchanges/{exchange_id}/status": {
                "parameters": [_p("exchange_id")],
                "post": {"summary": "move an exchange along its lifecycle",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/StatusChange"}}}},
                         "responses": {**_ok("the exchange"),
                                       "409": {"description": "not allowed from its status"}}}},
            "/indicators": {"get": {"summary": "indicators of an area; a figure built from "
                                               "confidential flows the caller may not see "
                                               "is null, its band or reason in 'withheld'",
                                    "parameters": [
                _q("county", "county"), _q("municipality", "municipality"), _q("park", "park")],
                "responses": _ok("indicators")}},
        },
    }
