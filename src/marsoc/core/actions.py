"""The audit action vocabulary: every kind of entry the s.62 log can hold, with its operation and label.

One enum, one place: a new app adds its actions here, in a section of its own, and its services pass
them to `audit_record(action=AuditAction.X, ...)`; the operation and the kind of record come with the
action, so an entry can never record a disclosure as a consultation, nor one action under two object
types. Where a page or endpoint showed it is in the entry's details
(`surface`), not in the action. The inspector's page lists these labels.
"""

from enum import Enum

from .vocabulary import Operation

C, A, CON, D, COMB, E = (
    Operation.COLLECTION,
    Operation.ALTERATION,
    Operation.CONSULTATION,
    Operation.DISCLOSURE,
    Operation.COMBINATION,
    Operation.ERASURE,
)


class AuditAction(str, Enum):  # noqa: UP042  (str first: stored and compared as its code)
    """An audit action: its code (stored), its s.62 operation, a label for readers and the kind of record
    its entries are about (their `object_type`, so every entry of one action names the same kind)."""

    operation: Operation
    label: str
    object_type: str

    def __new__(cls, code: str, operation: Operation, label: str, object_type: str = "") -> "AuditAction":
        member = str.__new__(cls, code)
        member._value_ = code
        member.operation = operation
        member.label = label
        member.object_type = object_type
        return member

    def __str__(self) -> str:
        return str(self.value)

    # --- accounts and administration ----------------------------------------------------------------
    USER_CREATE = "user.create", C, "Created a user account", "user"
    USER_ENROLMENT_CODE = "user.enrolment_code", A, "Issued an enrolment code", "user"
    USER_AUTHENTICATOR_ENROLLED = "user.authenticator_enrolled", A, "Set up an authenticator", "user"
    API_TOKEN_ISSUE = "api_token.issue", A, "Issued an API token", "api_token"
    API_TOKEN_REVOKE = "api_token.revoke", A, "Revoked an API token", "api_token"
    API_TOKEN_ROTATE = (
        "api_token.rotate",
        A,
        "Rotated an API token (a new one issued, the old one ending)",
        "api_token",
    )
    ADMIN_ADD = "admin.add", A, "Added a record in the administration site"
    ADMIN_CHANGE = "admin.change", A, "Changed a record in the administration site"
    ADMIN_DELETE = "admin.delete", A, "Deleted a record in the administration site"
    ADMIN_USER_ROLES = "admin.user.roles", A, "Changed a user's roles"
    # Single sign-on with partner identity providers (accounts/sso/, docs/sso.md).
    SSO_INVITE = "sso.invite", A, "Invited a person to sign in through their agency's provider", "user"
    SSO_LINK = "sso.link", A, "Linked a partner provider's sign-in to an account", "user"
    SSO_ROLES = "sso.roles", A, "Took a person's roles from their agency's provider", "user"
    SSO_SIGN_IN = "sso.sign_in", CON, "Signed in through a partner identity provider", "user"
    SSO_REFUSED = "sso.refused", CON, "Refused a partner provider's sign-in", "identity_provider"

    # --- the audit log itself ---------------------------------------------------------------------------
    AUDIT_BROWSE = "audit.browse", CON, "Browsed the audit log", "audit_log"
    AUDIT_EXPORT = "audit.export", D, "Exported the audit log", "audit_log"
    AUDIT_VERIFY = "audit.verify", CON, "Asked for a check of the audit chain", "audit_log"
    AUDIT_CHECKPOINT = "audit.checkpoint", CON, "Signed a checkpoint of the audit chain"

    # --- demonstration data -----------------------------------------------------------------------------
    DEMO_GENERATE = "demo.generate", C, "Generated demonstration data", "nominal"
    DEMO_CALIBRATION = (
        "demo.calibration",
        C,
        "Generated demonstration calibration data",
        "calibration_exercise",
    )

    # --- nominals -----------------------------------------------------------------------------------------
    NOMINAL_REFER = "nominal.refer", C, "Referred a person", "nominal"
    NOMINAL_UPDATE = "nominal.update", A, "Changed a person's details", "nominal"
    NOMINAL_VIEW = "nominal.view", CON, "Opened a person's record", "nominal"
    NOMINAL_LIST = "nominal.list", CON, "Listed or searched people", "nominal_list"
    IDENTIFIER_ADD = "identifier.add", A, "Added an identifier", "identifier"
    ALIAS_ADD = "alias.add", A, "Added an alias", "alias"
    CUSTODY_EVENT_RECORD = "custody_event.record", C, "Recorded a custody event", "custody_event"
    MEMBERSHIP_CHANGE = "membership.change", A, "Changed cohort membership", "nominal"
    PARTICIPATION_ADD = "participation.add", D, "Made an agency a participating agency", "participation"
    PARTICIPATION_END = "participation.end", A, "Ended an agency's participation", "participation"
    DECONFLICTION_IDENTIFIER = (
        "deconfliction.identifier",
        D,
        "Told of another hub's interest (identifier)",
        "nominal",
    )
    COHORT_AGGREGATES_VIEW = "cohort.aggregates.view", CON, "Viewed cohort counts by hub", "cohort"

    # --- assessment, priority, methods, equality, calibration ---------------------------------------------
    ASSESSMENT_SUBMIT = "assessment.submit", C, "Submitted an assessment", "assessment"
    TIER_DECIDE = "tier.decide", A, "Decided a tier", "tier_decision"
    PRIORITY_LIST = "priority.list", CON, "Viewed the priority list", "priority_list"
    PRIORITY_EXPORT = "priority.export", D, "Exported the priority list", "priority_list"
    REVIEWS_LIST = "reviews.list", CON, "Viewed the reviews due", "review_list"
    METHOD_LOAD = "method.load", C, "Loaded a scoring method", "method"
    METHOD_ACTIVATE = "method.activate", A, "Activated a scoring method", "method"
    METHOD_DRY_RUN_REQUEST = (
        "method.dry_run.request",
        CON,
        "Asked for a dry run of a method",
        "method_dry_run",
    )
    METHOD_DRY_RUN_VIEW = "method.dry_run.view", CON, "Viewed a method dry run", "method_dry_run"
    METHOD_DRY_RUN_REQUEUE = (
        "method.dry_run.requeue",
        CON,
        "Queued a stopped method dry run again",
        "method_dry_run",
    )
    METHOD_DRY_RUN_FAIL = "method.dry_run.fail", CON, "A method dry run failed", "method_dry_run"
    EQUALITY_REPORT_VIEW = "equality.report.view", CON, "Viewed the equality report", "equality_report"
    EQUALITY_EXPORT = "equality.export", D, "Exported the equality report", "equality_report"
    EQUALITY_POPULATION_LIST = "equality.population.list", CON, "Listed reference populations"
    EQUALITY_POPULATION_VIEW = "equality.population.view", CON, "Viewed a reference population"
    EQUALITY_POPULATION_LOAD = (
        "equality.population.load",
        A,
        "Loaded a reference population",
        "reference_population",
    )
    EQUALITY_POPULATION_UPDATE = (
        "equality.population.update",
        A,
        "Changed a reference population",
        "reference_population",
    )
    CALIBRATION_CREATE = "calibration.create", C, "Created a calibration exercise"
    CALIBRATION_VIGNETTE_ADD = "calibration.vignette.add", C, "Added a calibration case"
    CALIBRATION_ASSIGN = "calibration.assign", A, "Assigned calibration assessors"
    CALIBRATION_UNASSIGN = "calibration.unassign", A, "Removed a calibration assessor"
    CALIBRATION_OPEN = "calibration.open", A, "Opened a calibration exercise"
    CALIBRATION_CLOSE = "calibration.close", A, "Closed a calibration exercise"
    CALIBRATION_SCORES_SAVE = "calibration.scores.save", C, "Saved calibration scores"
    CALIBRATION_SHEET_SUBMIT = "calibration.sheet.submit", C, "Submitted a calibration score sheet"
    CALIBRATION_RESULTS_VIEW = "calibration.results.view", CON, "Viewed calibration results"
    CALIBRATION_RESULTS_EXPORT = (
        "calibration.results.export",
        D,
        "Exported calibration results",
        "calibration_exercise",
    )

    # --- plans, outcomes, meetings, catalogue, alerts, reports ----------------------------------------
    PLAN_CREATE = "plan.create", C, "Created a disruption plan", "plan"
    PLAN_OBJECTIVE_ADD = "plan.objective_add", C, "Added a plan objective", "plan"
    PLAN_ACTION_ADD = "plan.action_add", C, "Added a plan action", "action"
    PLAN_ACTION_UPDATE = "plan.action_update", A, "Updated a plan action", "action"
    PLAN_REQUEST_AGREEMENT = "plan.request_agreement", D, "Asked agencies to agree a plan", "plan"
    PLAN_AGREE = "plan.agree", A, "Agreed a plan for an agency", "plan"
    OUTCOME_CLAIM = "outcome.claim", C, "Claimed an outcome", "outcome"
    PLAN_GROUP_ACTIONS = "plan.group_actions", CON, "Viewed the actions and outcomes against a group", "ocg"
    OUTCOME_VALIDATE = "outcome.validate", A, "Validated an outcome"
    OUTCOME_REJECT = "outcome.reject", A, "Rejected an outcome"
    OUTCOME_MERGE = "outcome.merge", COMB, "Merged duplicate outcomes", "outcome"
    ORDER_RECORD = "order.record", C, "Recorded a civil or ancillary order", "order"
    ORDER_BREACH = "order.breach", C, "Reported a breach of an order", "order"
    MEETING_SCHEDULE = "meeting.schedule", C, "Scheduled a tasking meeting", "meeting"
    MEETING_ATTENDANCE = "meeting.attendance", A, "Recorded meeting attendance", "meeting"
    MEETING_DECISION = "meeting.decision", C, "Recorded a meeting decision", "meeting"
    MEETING_MINUTES = "meeting.minutes", A, "Recorded meeting minutes", "meeting"
    MEETING_VIEW = "meeting.view", CON, "Opened a tasking meeting", "meeting"
    MEETING_PACK_PDF = "meeting.pack_pdf", D, "Downloaded a meeting pack"
    MEETING_MINUTES_PDF = "meeting.minutes_pdf", D, "Downloaded meeting minutes"
    TACTIC_CREATE = "tactic.create", C, "Added a catalogue entry"
    TACTIC_UPDATE = "tactic.update", A, "Changed a catalogue entry"
    TACTIC_RETIRE = "tactic.retire", A, "Retired a catalogue entry"
    TACTIC_REINSTATE = "tactic.reinstate", A, "Reinstated a catalogue entry"
    ALERTS_INBOX = "alerts.inbox", CON, "Viewed the alerts inbox", "alert_list"
    AGENCY_ACTIONS_LIST = "agency_actions.list", CON, "Viewed the agency's own actions", "action_list"
    PLANS_REPORT = "plans.report", CON, "Viewed plan reports (aggregates)", "report"
    PLANS_REPORT_EXPORT = "plans.report_export", D, "Exported plan reports (aggregates)", "report"

    # --- intelligence and sharing -------------------------------------------------------------------------
    INTEL_ITEM_RECORD = "intel.item.record", C, "Recorded intelligence", "intel_item"
    INTEL_ITEM_VIEW = "intel.item.view", CON, "Opened an intelligence item", "intel_item"
    INTEL_ITEM_LIST = "intel.item.list", CON, "Listed or searched intelligence", "intel_item_list"
    INTEL_ITEM_EXPORT = "intel.item.export", D, "Exported intelligence", "intel_item_list"
    INTEL_ITEM_DISCLOSE = "intel.item.disclose", D, "Disseminated an intelligence item", "intel_item"
    INTEL_ITEM_CONSENT_REQUEST = (
        "intel.item.consent_request",
        CON,
        "Asked the originator's consent",
        "intel_item",
    )
    INTEL_ITEM_CONSENT_REFUSED = "intel.item.consent_refused", CON, "Refused consent to share", "intel_item"
    INTEL_ITEM_SANITISE = "intel.item.sanitise", C, "Made a sanitised version", "intel_item"
    INTEL_ITEM_SANITISATION_APPROVED = "intel.item.sanitisation_approved", A, "Approved a sanitised version"
    INTEL_ITEM_SANITISATION_REFUSED = "intel.item.sanitisation_refused", A, "Refused a sanitised version"
    INTEL_ITEM_RETAIN = "intel.item.retain", A, "Kept an item at review", "intel_item"
    INTEL_ITEM_ERASE = "intel.item.erase", E, "Erased an intelligence item", "intel_item"
    INTEL_ITEM_RESTRICT = "intel.item.restrict", A, "Restricted processing of an item"
    INTEL_ITEM_UNRESTRICT = "intel.item.unrestrict", A, "Lifted a restriction on an item"
    INTEL_ITEM_RECTIFY = "intel.item.rectify", A, "Corrected an intelligence item", "intel_item"
    INTEL_AGREEMENT_CREATE = (
        "intel.agreement.create",
        C,
        "Recorded an information-sharing agreement",
        "sharing_agreement",
    )
    INTEL_AGREEMENT_STATUS = "intel.agreement.status", A, "Changed an agreement's status", "sharing_agreement"
    INTEL_DECONFLICTION_HIT = (
        "intel.deconfliction.hit",
        D,
        "Told of another hub's interest (search)",
        "intel_interest",
    )
    INTEL_ACCESS_REQUEST_CREATE = (
        "intel.access_request.create",
        CON,
        "Asked for access to a hidden record",
        "access_request",
    )
    INTEL_ACCESS_REQUEST_GRANTED = "intel.access_request.granted", A, "Granted an access request"
    INTEL_ACCESS_REQUEST_REFUSED = "intel.access_request.refused", A, "Refused an access request"
    INTEL_SUMMARY_DISCLOSE = "intel.summary.disclose", D, "Disclosed a nominal summary", "summary_disclosure"
    INTEL_SUMMARY_VIEW = "intel.summary.view", CON, "Opened a nominal summary", "summary_disclosure"
    INTEL_SUMMARY_LIST = "intel.summary.list", CON, "Listed nominal summaries", "summary_disclosure_list"
    INTEL_SUBJECT_ACCESS_EXPORT = (
        "intel.subject_access.export",
        D,
        "Exported a subject access response",
        "nominal",
    )

    # --- identity resolution (linkage) ------------------------------------------------------------------
    LINKAGE_IMPORT_STAGE = "linkage.import.stage", C, "Staged a feed import", "feed_import"
    LINKAGE_IMPORT_COMMIT = "linkage.import.commit", C, "Imported a feed", "feed_import"
    LINKAGE_IMPORT_REJECT = "linkage.import.reject", C, "Rejected a feed import", "feed_import"
    LINKAGE_IMPORT_FAIL = "linkage.import.fail", C, "A feed import failed", "feed_import"
    LINKAGE_IMPORT_REQUEUE = "linkage.import.requeue", C, "Queued a stopped feed import again"
    LINKAGE_IMPORT_REPORT = "linkage.import.report", CON, "Viewed a feed import"
    LINKAGE_REVIEW_LIST = "linkage.review.list", CON, "Viewed the review queue"
    LINKAGE_PAIR_VIEW = "linkage.pair.view", CON, "Viewed a candidate pair"
    LINKAGE_PAIR_DECIDE = "linkage.pair.decide", COMB, "Decided a candidate pair", "candidate_pair"
    LINKAGE_PERSON_VIEW = "linkage.person.view", CON, "Viewed a linked person"
    LINKAGE_MODEL_TRAIN = "linkage.model.train", COMB, "Trained the linkage model", "linkage_model"
    LINKAGE_RUN = "linkage.run", COMB, "Ran identity resolution", "linkage_run"
    LINKAGE_RUN_FAIL = "linkage.run.fail", COMB, "A linkage run failed"
    LINKAGE_RUN_REQUEUE = "linkage.run.requeue", COMB, "Queued a stopped linkage run again"
    LINKAGE_MERGE = "linkage.merge", COMB, "Merged records", "merge"
    LINKAGE_UNMERGE = "linkage.unmerge", COMB, "Undid a merge", "merge"

    # --- case notes, work queues and the person's chronology (issue 18) --------------------------------
    CASE_NOTE_RECORD = "case_note.record", C, "Recorded a case note", "case_note"
    CASE_NOTE_CORRECT = "case_note.correct", A, "Corrected a case note", "case_note"
    CASE_NOTE_ADDENDUM = "case_note.addendum", C, "Added an addendum to a case note", "case_note"
    WORK_QUEUE_VIEW = "work_queue.view", CON, "Opened a work queue", "work_queue"
    CHRONOLOGY_EXPORT = "chronology.export", D, "Exported a person's chronology", "nominal"
    HUB_ROLLUP_VIEW = "work.rollup", CON, "Viewed the hubs' workload roll-up (aggregates)", "hub_rollup"

    # --- networks of associates and organised crime groups (issue 16) ------------------------------------
    OCG_CREATE = "ocg.create", C, "Recorded an organised crime group", "ocg"
    OCG_STATUS = "ocg.status", A, "Changed an organised crime group's status", "ocg"
    OCG_VIEW = "ocg.view", CON, "Opened an organised crime group", "ocg"
    OCG_LIST = "ocg.list", CON, "Listed organised crime groups", "ocg_list"
    ASSOCIATE_CREATE = "associate.create", C, "Recorded an associate who is not a nominal", "associate"
    ASSOCIATE_VIEW = "associate.view", CON, "Opened an associate's record", "associate"
    OCG_MEMBERSHIP_RECORD = "ocg.membership.record", C, "Recorded membership of a group", "ocg_membership"
    ASSOCIATION_RECORD = "association.record", C, "Recorded an association", "association"
    NETWORK_VIEW = "network.view", CON, "Viewed a network"
    NETWORK_PATH = "network.path", CON, "Searched for a path between two people or groups"
    OCG_ASSESS = "ocg.assess", C, "Assessed an organised crime group"
    OCG_PRIORITY = "ocg.priority", CON, "Viewed the group priority list"
    OCG_METHOD_DRY_RUN = "ocg.method.dry_run", CON, "Ran a candidate group method over current assessments"
    NETWORK_CUSTODY_DERIVE = "network.custody_derive", COMB, "Derived cell-mate links from custody records"
    NETWORK_EXPORT = "network.export", D, "Exported a network (i2 CSV, GraphML or a picture)"
    NETWORK_COMMUNITIES = "network.communities", CON, "Compared communities with recorded groups", "network"
    CHART_CREATE = "network.chart.create", C, "Saved a link chart", "link_chart"
    CHART_CHANGE = "network.chart.change", A, "Changed a link chart", "link_chart"
    CHART_SHARE = "network.chart.share", D, "Shared a link chart", "link_chart"
    CHART_VIEW = "network.chart.view", CON, "Opened a link chart", "link_chart"
    CHART_LIST = "network.chart.list", CON, "Listed link charts", "link_chart_list"
    NETWORK_DECONFLICTION_HIT = "network.deconfliction.hit", D, "Told of another hub's interest (network)"

    # --- data-subject rights and retention (issue 20) -------------------------------------------------
    RIGHTS_REQUEST_RECORD = (
        "rights.request.record",
        C,
        "Recorded a subject access request",
        "subject_access_request",
    )
    RIGHTS_REQUEST_IDENTITY = (
        "rights.request.identity",
        A,
        "Checked the identity of a subject access requester",
        "subject_access_request",
    )
    RIGHTS_REQUEST_EXTEND = (
        "rights.request.extend",
        A,
        "Extended a subject access deadline",
        "subject_access_request",
    )
    RIGHTS_REQUEST_SEARCH = (
        "rights.request.search",
        CON,
        "Found every record held about a person for subject access",
        "subject_access_request",
    )
    RIGHTS_REQUEST_DECIDE = (
        "rights.request.decide",
        A,
        "Decided an exemption or consultation for a subject access record",
        "subject_access_request",
    )
    RIGHTS_REQUEST_APPROVE = (
        "rights.request.approve",
        A,
        "Approved a subject access response",
        "subject_access_request",
    )
    RIGHTS_REQUEST_EXPORT = (
        "rights.request.export",
        D,
        "Released a subject access response to the person",
        "subject_access_request",
    )
    RIGHTS_REQUEST_VIEW = (
        "rights.request.view",
        CON,
        "Viewed a subject access request",
        "subject_access_request",
    )
    RIGHTS_PERSON_VIEW = "rights.person.view", CON, "Viewed a person's data-subject rights", "nominal"
    RIGHTS_RESTRICT = "rights.person.restrict", A, "Restricted processing of a person", "nominal"
    RIGHTS_UNRESTRICT = "rights.person.unrestrict", A, "Lifted the restriction of a person", "nominal"
    RIGHTS_RECTIFY = "rights.person.rectify", A, "Recorded a correction and told its recipients", "nominal"
    RIGHTS_NOTICE_ACK = "rights.notice.ack", A, "Recorded a recipient's acknowledgement", "nominal"
    RIGHTS_RETAIN = "rights.person.retain", A, "Retained a person's records after MoPI review", "nominal"
    RIGHTS_ERASE = "rights.person.erase", E, "Erased everything held about a person", "nominal"
    RIGHTS_HOME = "rights.home", CON, "Viewed the data-subject rights work", "nominal"
    RIGHTS_RECORD_RETAIN = "rights.record.retain", A, "Retained one record after MoPI review", "nominal"
    RIGHTS_RECORD_ERASE = "rights.record.erase", E, "Erased one record after MoPI review", "nominal"
    RIGHTS_PARTNER_RETAIN = (
        "rights.partner_record.retain",
        A,
        "Retained a partner record about nobody in the cohort after MoPI review",
        "source_record",
    )
    RIGHTS_PARTNER_ERASE = (
        "rights.partner_record.erase",
        E,
        "Erased a partner record about nobody in the cohort after MoPI review",
        "source_record",
    )

    # --- grants, funded posts and claims (issue 19) ------------------------------------------------------
    GRANT_CREATE = "funding.grant.create", C, "Recorded a grant", "grant"
    GRANT_VIEW = "funding.grant.view", CON, "Viewed a grant", "grant"
    GRANT_EXPORT = "funding.grant.export", D, "Exported a grant's figures", "grant"
    FUNDED_POST_ADD = "funding.post.add", C, "Added a funded post", "funded_post"
    POST_HOLDING_ADD = "funding.holding.add", C, "Recorded who holds a funded post", "funded_post"
    POST_HOLDING_END = "funding.holding.end", A, "Recorded the end of a funded post's holding", "funded_post"
    CLAIM_PREPARE = "funding.claim.prepare", C, "Prepared a quarterly claim", "claim"
    CLAIM_RECOMPUTE = "funding.claim.recompute", A, "Recomputed a quarterly claim from its posts", "claim"
    CLAIM_ACTUALS = "funding.claim.actuals", A, "Entered a claim's actual costs", "claim"
    CLAIM_CHECK = "funding.claim.check", A, "Checked a quarterly claim", "claim"
    CLAIM_RETURN = "funding.claim.return", A, "Returned a claim to its preparer", "claim"
    CLAIM_SUBMIT = "funding.claim.submit", A, "Submitted a claim to the funder", "claim"
    CLAIM_PAID = "funding.claim.paid", A, "Recorded a claim's payment", "claim"
    CLAIM_RECONCILE = "funding.claim.reconcile", A, "Reconciled a claim's payment", "claim"
    CLAIM_INVOICE = "funding.claim.invoice", D, "Produced a claim's invoice", "claim"
    DECISION_DRAFT = "decision.draft", C, "Drafted a decision record", "decision"
    DECISION_DECLARE = "decision.declare", A, "Ticked a declaration on a decision record", "decision"
    DECISION_APPROVE = "decision.approve", A, "Approved a decision", "decision"
    DECISION_PUBLISH = "decision.publish", D, "Published Part 1 of a decision", "decision"
    DECISION_VIEW = "decision.view", CON, "Viewed a decision record", "decision"
    DECISION_PART2_VIEW = (
        "decision.part2.view",
        CON,
        "Viewed a decision record with its exempt Part 2",
        "decision",
    )
    DECISION_FORM_EXPORT = "decision.form.export", D, "Produced a decision form PDF", "decision"
    DECISION_LIST_EXPORT = "decision.list.export", D, "Exported the list of decision records", "decision"
    GOVERNANCE_VIEW = "governance.view", CON, "Viewed the governance register", "governance_register"
    GOVERNANCE_EXPORT = "governance.export", D, "Exported the governance register", "governance_register"
    AGREEMENT_SIGN_OFF = "agreement.sign_off", A, "Recorded a party signing an agreement", "sharing_agreement"
    DPIA_RECORD = "governance.dpia.record", C, "Recorded a data protection impact assessment", "dpia"
    DPIA_STATUS = "governance.dpia.status", A, "Moved a data protection impact assessment on", "dpia"
    EIA_VERSION = (
        "governance.eia.version",
        C,
        "Recorded an equality assessment version",
        "equality_assessment",
    )

    # --- Delivery Board reporting (issue 17) ----------------------------------------------------------------
    REPORT_SNAPSHOT_BUILD = "reporting.snapshot.build", CON, "Built a monthly reporting snapshot (aggregates)"
    REPORT_FIGURES_RECOUNT = (
        "reporting.figures.recount",
        A,
        "Took a restricted or erased person out of the kept monthly figures (or back in)",
        "reporting_snapshot",
    )
    REPORT_VIEW = "reporting.report.view", CON, "Viewed a Board report (aggregates, no person)"
    REPORT_EXPORT = "reporting.report.export", D, "Exported a Board report (aggregates, no person)"
    REPORT_COMMENTARY = (
        "reporting.pack.commentary",
        A,
        "Wrote the commentary of a quarterly Board pack",
        "report",
    )


_BY_CODE: dict[str, AuditAction] = {a.value: a for a in AuditAction}


def action_of(code: str) -> AuditAction | None:
    """The action a stored code names (None for a code not in the vocabulary)."""
    return _BY_CODE.get(code)


def action_label(code: str) -> str:
    """The reader's label for a stored code (the code itself when it is not in the vocabulary)."""
    found = _BY_CODE.get(code)
    return found.label if found is not None else code
