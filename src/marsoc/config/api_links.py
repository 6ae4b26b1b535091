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

LINKS: list[Link] = [
    *[
        ("nominals_api_list_nominals", 200, target, {"nominal_id": FIRST_RESULT})
        for target in _ABOUT_A_NOMINAL
    ],
    *[
        ("nominals_api_search_nominals", 200, target, {"nominal_id": FIRST_RESULT})
        for target in _ABOUT_A_NOMINAL
    ],
    *[("nominals_api_refer_nominal", 201, target, {"nominal_id": CREATED}) for target in _ABOUT_A_NOMINAL],
    *[
        ("assessment_api_get_priority", 200, target, {"nominal_id": "$response.body#/results/0/nominal_id"})
        for target in _ABOUT_A_NOMINAL
    ],
    (
        "assessment_api_submit_assessment",
        201,
        "assessment_api_get_assessment",
        {"nominal_id": SAME_NOMINAL, "assessment_id": CREATED},
    ),
    ("assessment_api_submit_assessment", 201, "assessment_api_decide_tier", {"nominal_id": SAME_NOMINAL}),
    (
        "assessment_api_list_assessments",
        200,
        "assessment_api_get_assessment",
        {"nominal_id": SAME_NOMINAL, "assessment_id": FIRST_ITEM},
    ),
    ("assessment_api_list_methods", 200, "assessment_api_get_method", {"method_id": FIRST_ITEM}),
    ("assessment_api_list_methods", 200, "assessment_api_request_dry_run", {"method_id": FIRST_ITEM}),
    ("assessment_api_request_dry_run", 202, "assessment_api_get_dry_run", {"run_id": CREATED}),
    (
        "assessment_api_list_calibration_exercises",
        200,
        "assessment_api_get_calibration_results",
        {"exercise_id": FIRST_ITEM},
    ),
    (
        "assessment_api_list_calibration_exercises",
        200,
        "assessment_api_post_calibration_scores",
        {"exercise_id": FIRST_ITEM},
    ),
    (
        "assessment_api_equality_population_list_api",
        200,
        "assessment_api_equality_population_get_api",
        {"population_id": FIRST_ITEM},
    ),
    (
        "plans_api_get_plan",
        200,
        "plans_api_claim_outcome",
        {"nominal_id": SAME_NOMINAL, "action_id": "$response.body#/actions/0/id"},
    ),
    (
        "plans_api_add_action",
        201,
        "plans_api_claim_outcome",
        {"nominal_id": SAME_NOMINAL, "action_id": CREATED},
    ),
    ("plans_api_add_action", 201, "plans_api_request_agreement", {"nominal_id": SAME_NOMINAL}),
    ("plans_api_request_agreement", 200, "plans_api_agree", {"nominal_id": SAME_NOMINAL}),
    ("intelligence_api_search_items", 200, "intelligence_api_get_item", {"item_id": FIRST_RESULT}),
    ("intelligence_api_search_items", 200, "intelligence_api_share_item", {"item_id": FIRST_RESULT}),
    ("intelligence_api_record_item", 201, "intelligence_api_get_item", {"item_id": CREATED}),
    ("intelligence_api_record_item", 201, "intelligence_api_share_item", {"item_id": CREATED}),
    ("intelligence_api_list_summaries", 200, "intelligence_api_get_summary", {"summary_id": FIRST_RESULT}),
    ("network_api_list_groups", 200, "network_api_get_group", {"group_id": FIRST_ITEM}),
    ("network_api_list_groups", 200, "network_api_assess_group", {"group_id": FIRST_ITEM}),
    ("network_api_create_group", 201, "network_api_get_group", {"group_id": CREATED}),
    ("network_api_create_group", 201, "network_api_assess_group", {"group_id": CREATED}),
    ("network_api_list_charts", 200, "network_api_get_chart", {"chart_id": FIRST_ITEM}),
    ("network_api_list_charts", 200, "network_api_update_chart", {"chart_id": FIRST_ITEM}),
    ("network_api_create_chart", 201, "network_api_get_chart", {"chart_id": CREATED}),
    ("network_api_create_chart", 201, "network_api_update_chart", {"chart_id": CREATED}),
    # Identity resolution (issue 15): from a pushed or listed import to its progress and report, from the
    # review queue to a pair and its decision.
    ("linkage_api_push_import", 202, "linkage_api_get_import", {"import_id": CREATED}),
    ("linkage_api_push_import", 202, "linkage_api_get_quarantine", {"import_id": CREATED}),
    ("linkage_api_list_imports", 200, "linkage_api_get_import", {"import_id": FIRST_RESULT}),
    ("linkage_api_list_imports", 200, "linkage_api_get_quarantine", {"import_id": FIRST_RESULT}),
    ("linkage_api_list_imports", 200, "linkage_api_resubmit_import", {"import_id": FIRST_RESULT}),
    ("linkage_api_list_pairs", 200, "linkage_api_get_pair", {"pair_id": FIRST_RESULT}),
    ("linkage_api_list_pairs", 200, "linkage_api_decide_pair", {"pair_id": FIRST_RESULT}),
    # Meetings and orders.
    *[
        ("plans_api_meetings_list_meetings", 200, target, {"meeting_id": FIRST_ITEM})
        for target in (
            "plans_api_meetings_get_meeting",
            "plans_api_meetings_get_meeting_pack",
            "plans_api_meetings_get_meeting_minutes",
        )
    ],
    (
        "plans_api_meetings_record_order",
        201,
        "plans_api_meetings_report_breach",
        {"nominal_id": SAME_NOMINAL, "order_id": CREATED},
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
