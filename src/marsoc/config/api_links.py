"""OpenAPI links between operations (issue 15): which answer gives the identifier another operation
needs, so a client (and the stateful phase of the conformance test) can walk from a list or a creation
to the records it names. Declared once here by the apps' operation names and written into the
document by config.api; tests/api/test_openapi_document.py checks every link names real operations
and parameters. It lives in config, the layer that knows every app's operations."""

from typing import Any

# (source operation, status, target operation, {target parameter: runtime expression})
Link = tuple[str, int, str, dict[str, str]]

FIRST_RESULT = "$response.body#/results/0/id"  # a page: {count, page, page_size, results: [...]}
FIRST_ITEM = "$response.body#/0/id"  # a plain list
CREATED = "$response.body#/id"
SAME_NOMINAL = "$request.path.nominal_id"

_ABOUT_A_NOMINAL = (
    "nominals_api_get_nominal",
    "assessment_api_list_assessments",
    "assessment_api_submit_assessment",
    "assessment_api_decide_tier",
    "plans_api_get_plan",
    "plans_api_add_action",
    "plans_api_request_agreement",
    "plans_api_agree",
    "plans_api_meetings_list_orders",
    "plans_api_meetings_record_order",
)


def _to(source: str, status: int, parameters: dict[str, str], *targets: str) -> list[Link]:
    """One answer's links to each of several operations that take the same parameters from it."""
    return [(source, status, target, dict(parameters)) for target in targets]


LINKS: list[Link] = [
    *_to("nominals_api_list_nominals", 200, {"nominal_id": FIRST_RESULT}, *_ABOUT_A_NOMINAL),
    *_to("nominals_api_search_nominals", 200, {"nominal_id": FIRST_RESULT}, *_ABOUT_A_NOMINAL),
    *_to("nominals_api_refer_nominal", 201, {"nominal_id": CREATED}, *_ABOUT_A_NOMINAL),
    *_to(
        "assessment_api_get_priority",
        200,
        {"nominal_id": "$response.body#/results/0/nominal_id"},
        *_ABOUT_A_NOMINAL,
    ),
    *_to(
        "assessment_api_submit_assessment",
        201,
        {"nominal_id": SAME_NOMINAL, "assessment_id": CREATED},
        "assessment_api_get_assessment",
    ),
    *_to("assessment_api_submit_assessment", 201, {"nominal_id": SAME_NOMINAL}, "assessment_api_decide_tier"),
    *_to(
        "assessment_api_list_assessments",
        200,
        {"nominal_id": SAME_NOMINAL, "assessment_id": FIRST_ITEM},
        "assessment_api_get_assessment",
    ),
    *_to(
        "assessment_api_list_methods",
        200,
        {"method_id": FIRST_ITEM},
        "assessment_api_get_method",
        "assessment_api_request_dry_run",
    ),
    *_to("assessment_api_request_dry_run", 202, {"run_id": CREATED}, "assessment_api_get_dry_run"),
    *_to(
        "assessment_api_list_calibration_exercises",
        200,
        {"exercise_id": FIRST_ITEM},
        "assessment_api_get_calibration_results",
        "assessment_api_post_calibration_scores",
    ),
    *_to(
        "assessment_api_equality_population_list_api",
        200,
        {"population_id": FIRST_ITEM},
        "assessment_api_equality_population_get_api",
    ),
    *_to(
        "plans_api_get_plan",
        200,
        {"nominal_id": SAME_NOMINAL, "action_id": "$response.body#/actions/0/id"},
        "plans_api_claim_outcome",
    ),
    *_to(
        "plans_api_add_action",
        201,
        {"nominal_id": SAME_NOMINAL, "action_id": CREATED},
        "plans_api_claim_outcome",
    ),
    *_to("plans_api_add_action", 201, {"nominal_id": SAME_NOMINAL}, "plans_api_request_agreement"),
    *_to("plans_api_request_agreement", 200, {"nominal_id": SAME_NOMINAL}, "plans_api_agree"),
    *_to(
        "intelligence_api_search_items",
        200,
        {"item_id": FIRST_RESULT},
        "intelligence_api_get_item",
        "intelligence_api_share_item",
    ),
    *_to(
        "intelligence_api_record_item",
        201,
        {"item_id": CREATED},
        "intelligence_api_get_item",
        "intelligence_api_share_item",
    ),
    *_to(
        "intelligence_api_list_summaries", 200, {"summary_id": FIRST_RESULT}, "intelligence_api_get_summary"
    ),
    *_to(
        "network_api_list_groups",
        200,
        {"group_id": FIRST_ITEM},
        "network_api_get_group",
        "network_api_assess_group",
    ),
    *_to(
        "network_api_create_group",
        201,
        {"group_id": CREATED},
        "network_api_get_group",
        "network_api_assess_group",
    ),
    *_to(
        "network_api_list_charts",
        200,
        {"chart_id": FIRST_ITEM},
        "network_api_get_chart",
        "network_api_update_chart",
    ),
    *_to(
        "network_api_create_chart",
        201,
        {"chart_id": CREATED},
        "network_api_get_chart",
        "network_api_update_chart",
    ),
    # Identity resolution (issue 15): from a pushed or listed import to its progress and report, from the
    # review queue to a pair and its decision.
    *_to(
        "linkage_api_push_import",
        202,
        {"import_id": CREATED},
        "linkage_api_get_import",
        "linkage_api_get_quarantine",
    ),
    *_to(
        "linkage_api_list_imports",
        200,
        {"import_id": FIRST_RESULT},
        "linkage_api_get_import",
        "linkage_api_get_quarantine",
        "linkage_api_resubmit_import",
    ),
    *_to(
        "linkage_api_list_pairs",
        200,
        {"pair_id": FIRST_RESULT},
        "linkage_api_get_pair",
        "linkage_api_decide_pair",
    ),
    # Meetings and orders.
    *_to(
        "plans_api_meetings_list_meetings",
        200,
        {"meeting_id": FIRST_ITEM},
        "plans_api_meetings_get_meeting",
        "plans_api_meetings_get_meeting_pack",
        "plans_api_meetings_get_meeting_minutes",
    ),
    *_to(
        "plans_api_meetings_record_order",
        201,
        {"nominal_id": SAME_NOMINAL, "order_id": CREATED},
        "plans_api_meetings_report_breach",
    ),
]


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"].removeprefix("marsoc_")] = operation
    return found


def document_links(document: dict[str, Any], links: list[Link]) -> dict[str, Any]:
    """Write each link into its source operation's answer; a link naming an operation the document does
    not have is an error at once, not a silently missing link."""
    operations = _operations(document)
    for source, status, target, parameters in links:
        if source not in operations or target not in operations:
            raise LookupError(f"API link {source} -> {target}: no such operation")
        response = operations[source]["responses"][status]
        name = target.split("_api_", 1)[-1]
        response.setdefault("links", {})[name] = {
            "operationId": operations[target]["operationId"],
            "parameters": parameters,
        }
    return document
