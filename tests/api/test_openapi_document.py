"""The OpenAPI document tells the truth about shapes (issue 15): one error shape documented once and
referred to by every operation for every 4xx it can answer, and no two schemas sharing a name (ninja
files schemas under their class names, so a second `ShareOut` silently replaced the first and clients
validated a population against an intelligence share)."""

from ninja import Schema

from marsoc.config.api import api
from marsoc.core.api_errors import ERROR_RESPONSES

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_operation_documents_every_error_status_with_the_one_shape():
    schema = api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["ApiError"]["required"]) == {"detail"}
    missing = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status in ERROR_RESPONSES:
                response = operation["responses"].get(status)
                if not response or response["content"]["application/json"]["schema"] != ERROR_REF:
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, missing


def test_no_two_api_schemas_share_a_name():
    names: dict[str, list[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("marsoc."):
            names.setdefault(cls.__name__, []).append(cls.__module__)
    assert {n: m for n, m in names.items() if len(set(m)) > 1} == {}


def test_population_shares_and_intelligence_shares_are_different_schemas():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "outcome" in components["ShareOut"]["properties"]
    assert "share_pct" in components["PopulationShareOut"]["properties"]


def test_links_name_real_operations_and_their_parameters():
    """The stateful phase of tests/ops/test_api_conformance.py walks these links: each names an operation
    of the document and only parameters that operation takes, from an answer the source gives."""
    schema = api.get_openapi_schema()
    operations = {
        op["operationId"]: op
        for methods in schema["paths"].values()
        for op in methods.values()
        if "operationId" in op
    }
    links = [
        (source, link)
        for source, op in operations.items()
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) >= 40
    for source, link in links:
        target = operations[link["operationId"]]
        names = {p["name"] for p in target.get("parameters", [])}
        for name, expression in link["parameters"].items():
            assert name in names, (source, link)
            assert expression.startswith(("$response.body#/", "$request.path.")), (source, link)


def test_constraints_the_services_check_are_in_the_document():
    components = api.get_openapi_schema()["components"]["schemas"]
    refer = components["ReferIn"]["properties"]
    assert refer["given_names"]["minLength"] == 1 and "not" in refer["given_names"]
    assert refer["pnc"]["format"] == "pnc-id"
    assert "$ref" in refer["sex"] or "enum" in refer["sex"] or "allOf" in refer["sex"]
    ego = api.get_openapi_schema()["paths"]["/api/network/ego"]["get"]["parameters"]
    purpose = next(p for p in ego if p["name"] == "purpose")
    assert purpose["required"] and purpose["schema"]["minLength"] == 3 and purpose["schema"]["pattern"]
