"""The funding API: the seed's table from data as integer pence, claims and the forecast, decision records
without Part 2, the governance register with sign-offs; scoped and audited as the pages are."""

from datetime import date

from marsoc.core.audit import AuditEvent
from marsoc.funding import services
from marsoc.funding.vocabulary import DeclarationKind

from .helpers import funding_people, seed_grant


def _get(client, path, token):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_grant_endpoint_gives_the_seed_figures_in_pence(db, client, token_for):
    people = funding_people()
    grant = seed_grant(people)
    claim = services.claim_prepare(actor=people["manager"], grant=grant, number=1, today=date(2026, 1, 10))
    token = token_for(people["board"])
    listed = _get(client, "/api/funding/grants", token).json()
    assert [g["reference"] for g in listed] == [grant.reference]
    body = _get(client, f"/api/funding/grants/{grant.pk}", token).json()
    assert body["amount_pence"] == 405_608_00
    years = [(y["salary_pence"], y["overhead_pence"], y["stated_total_pence"], y["stated_quarterly_pence"],
              y["rounding_pence"]) for y in body["years"]]  # fmt: skip
    assert years == [
        (180_006_00, 22_324_00, 202_329_00, 50_582_00, 100),
        (178_073_00, 25_207_00, 203_279_00, 50_820_00, 100),
    ]
    assert [c["id"] for c in body["claims"]] == [claim.pk] and body["claims"][0]["state"] == "draft"
    assert [q["quarter"] for q in body["quarters"]] == list(range(1, 9))
    assert body["quarters"][0]["claim_id"] == claim.pk
    one = _get(client, f"/api/funding/claims/{claim.pk}", token).json()
    assert (
        one["eligible_pence"] == claim.eligible_pence == sum(line["eligible_pence"] for line in one["lines"])
    )
    assert AuditEvent.objects.filter(action="funding.grant.view", details__surface="api").count() == 1
    officer = token_for(people["officer"])
    assert _get(client, f"/api/funding/grants/{grant.pk}", officer).status_code == 404
    assert _get(client, "/api/funding/grants", officer).status_code == 404
    assert _get(client, f"/api/funding/claims/{claim.pk}", officer).status_code == 404


def test_the_decision_endpoint_never_serves_part2(db, client, token_for):
    people = funding_people()
    decision = services.decision_draft(
        actor=people["manager"],
        data=services.DecisionInput(
            "PCD 77", "Title", "Summary", "Recommend", "Part one body", "Deputy Mayor",
            part2=services.Part2Input("Exempt SECRETWORD material", "s31", "Prejudice to law enforcement"),
        ),
    )  # fmt: skip
    services.decision_declare(actor=people["finance"], decision=decision, kind=DeclarationKind.LEGAL)
    token = token_for(people["manager"])
    body = _get(client, f"/api/funding/decisions/{decision.pk}", token)
    assert body.status_code == 200 and "SECRETWORD" not in body.content.decode()
    data = body.json()
    assert data["part1_body"] == "Part one body" and data["state"] == "draft" and not data["published"]
    legal = next(d for d in data["declarations"] if d["kind"] == "legal")
    assert legal["ticked_by"] and legal["ticked_on"]
    assert [d["reference"] for d in _get(client, "/api/funding/decisions", token).json()] == ["PCD 77"]
    entry = AuditEvent.objects.get(action="decision.view", details__surface="api")
    assert entry.object_id == str(decision.pk)


def test_the_governance_endpoint_names_who_has_not_signed(db, client, token_for):
    from ..intelligence.helpers import make_agreement

    people = funding_people()
    make_agreement(["mps", "probation-london"], unsigned=("probation-london",))
    body = _get(client, "/api/funding/governance", token_for(people["national"])).json()
    (agreement,) = body["agreements"]
    assert not agreement["in_force"] and "waiting for" in agreement["not_in_force_reason"]
    signed = {p["agency"]: p["signed_on"] is not None for p in agreement["parties"]}
    assert sorted(signed.values()) == [False, True]
    assert _get(client, "/api/funding/governance", token_for(people["officer"])).status_code == 404
