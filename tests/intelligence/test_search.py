"""Intelligence search: fuzzy names and aliases, full text, ranking, paging with the total from the same
scope, and the Python stand-ins agreeing with PostgreSQL's pg_trgm."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from marsoc.core.search import similarity, text_matches, trigrams
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import ItemSubject
from marsoc.intelligence.selectors import deconfliction, item_list, search_page
from marsoc.nominals.models import Alias
from marsoc.nominals.selectors import people_matching

from ..conftest import make_nominal, make_user, signed_in
from .helpers import make_item

# --- the Python trigram similarity is pg_trgm's ------------------------------------------------------


def test_trigrams_follow_pg_trgm_rules():
    # Lower-cased, each word padded with two spaces before and one after, punctuation a separator.
    assert trigrams("Cat") == {"  c", " ca", "cat", "at "}
    assert trigrams("O'Neil") == trigrams("o neil")
    assert similarity("Morris", "MORRIS") == 1.0
    assert similarity("Morris", "") == 0.0
    assert 0.3 <= similarity("Smyth", "Smith") < 0.5
    assert similarity("Smith", "Jones") == 0.0


def test_sqlite_text_match_needs_every_word_to_begin_a_word():
    assert text_matches("Cash couriered through Dover port", "dover COURIER")
    assert not text_matches("Cash couriered through Dover port", "dover calais")
    assert not text_matches("Seen in Andover", "dover")
    assert not text_matches("anything", "  ")


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="abcdeMNOPQ xyz-'19", min_size=0, max_size=18),
    st.text(alphabet="abcdeMNOPQ xyz-'19", min_size=0, max_size=18),
)
def test_python_similarity_equals_pg_trgm(a, b):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s)", [a, b])
        expected = cursor.fetchone()[0]
    assert similarity(a, b) == pytest.approx(expected, abs=1e-6), (a, b)


# --- what a search finds --------------------------------------------------------------------------


@pytest.fixture
def people(db, london_officer):
    smith = make_nominal(london_officer, given="Callum", family="Smith")
    smyth = make_nominal(london_officer, given="Dean", family="Smyth")
    jones = make_nominal(london_officer, given="Aled", family="Jones")
    return {"smith": smith, "smyth": smyth, "jones": jones}


def test_a_misspelt_surname_finds_the_person_and_the_exact_spelling_ranks_first(people, london_officer):
    about_smith = make_item(people["smith"], agency_code="hmpps-prisons-london")
    about_smyth = make_item(people["smyth"], agency_code="hmpps-prisons-london")
    make_item(people["jones"], agency_code="hmpps-prisons-london")

    found = list(item_list(actor=london_officer, query="Smyth"))
    assert found == [about_smyth, about_smith]  # Jones is not similar; Smyth (exact) before Smith
    assert found[0].relevance > found[1].relevance
    assert set(people_matching("Smiht").values_list("pk", flat=True)) >= {people["smith"].pk}
    assert not people_matching("Smyth", fuzzy=False).filter(pk=people["smith"].pk).exists()


def test_an_alias_finds_the_person(people, london_officer):
    Alias.objects.create(nominal=people["jones"], given_names="Taffy", family_name="Pritchard")
    item = make_item(people["jones"], agency_code="hmpps-prisons-london")
    assert list(item_list(actor=london_officer, query="Pritchard")) == [item]
    assert list(item_list(actor=london_officer, query="Taffy Pritchard")) == [item]
    assert list(item_list(actor=london_officer, query="Taffy Smith")) == []  # every word must match


def test_words_in_the_text_find_an_item(people, london_officer):
    item = make_item(
        people["jones"], agency_code="hmpps-prisons-london", text="Cash couriered through Dover port weekly."
    )
    make_item(people["smith"], agency_code="hmpps-prisons-london", text="Seen at a gym in Leeds.")
    assert list(item_list(actor=london_officer, query="Dover couriered")) == [item]
    assert list(item_list(actor=london_officer, query="Dover Calais")) == []


def test_counts_and_pages_only_ever_include_what_the_actor_may_see(people, london_officer):
    visible = [make_item(people["smith"], agency_code="hmpps-prisons-london") for _ in range(5)]
    # Held by another hub and agency, never shared: it matches every search below but is out of reach.
    hidden = make_item(people["smyth"], hub_code="yorkshire-humber", agency_code="yhrocu")
    for query in ("Smith", "Smyth", "car wash"):
        page = search_page(actor=london_officer, query=query, page_size=2)
        assert hidden not in page.object_list
        assert page.count == item_list(actor=london_officer, query=query).count()
    page = search_page(actor=london_officer, query="Smyth", page_size=2)
    assert page.count == 5 and page.num_pages == 3
    assert hidden.pk not in [i.pk for i in item_list(actor=london_officer, query="Smyth")]
    # ...and the hidden one is announced by deconfliction instead, without content.
    notices = deconfliction(actor=london_officer, query="Smyth")
    assert [n.nominal_ids for n in notices] == [(people["smyth"].pk,)]

    seen = []
    for number in (1, 2, 3):
        page = search_page(actor=london_officer, query="Smith", page=number, page_size=2)
        assert page.number == number and page.count == 5
        seen += page.object_list
    assert sorted(i.pk for i in seen) == sorted(i.pk for i in visible)
    assert search_page(actor=london_officer, query="Smith", page=9, page_size=2).number == 3
    assert search_page(actor=london_officer, query="Smith", page="x", page_size=2).number == 1
    past_end = search_page(actor=london_officer, query="Smith", page=9, page_size=2, clamp=False)
    assert past_end.object_list == [] and past_end.count == 5 and past_end.number == 9


def test_the_search_page_and_api_show_the_fuzzy_match_and_its_count(people, london_officer, token_for):
    make_item(people["smith"], agency_code="hmpps-prisons-london")
    body = signed_in(london_officer).get("/intelligence/?q=Smiht").content.decode()
    assert "1 item you may see" in body
    response = signed_in(london_officer).get(
        "/api/intelligence?q=Smiht", HTTP_AUTHORIZATION=f"Bearer {token_for(london_officer)}"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and len(data["results"]) == 1
    far = signed_in(london_officer).get(
        "/api/intelligence?q=Smiht&page=5", HTTP_AUTHORIZATION=f"Bearer {token_for(london_officer)}"
    )
    assert far.json()["results"] == [] and far.json()["count"] == 1


def test_the_search_page_lists_people_the_user_may_see_with_why_they_matched(people, london_officer):
    from marsoc.core.models import AuditEvent

    Alias.objects.create(nominal=people["jones"], given_names="", family_name="Smithers")
    york = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    other_hub = make_nominal(york, hub_code="yorkshire-humber", given="Ivor", family="Smith")
    body = signed_in(london_officer).get("/intelligence/?q=Smith").content.decode()
    table = body.split('id="people"')[1].split("</table>")[0]
    assert people["smith"].reference in table and "name" in table
    assert people["jones"].reference in table and "alias" in table
    assert people["smyth"].reference in table and "similar name" in table
    assert other_hub.reference not in body  # another hub's person: not listed
    assert table.index(people["smith"].reference) < table.index(people["smyth"].reference)
    # One search, one entry, with the people it showed as its subjects.
    events = AuditEvent.objects.filter(
        action__in=["intel.item.list", "intel.deconfliction.hit", "nominal.list"]
    )
    assert events.count() == 1
    event = events.get()
    shown = {people["smith"].pk, people["smyth"].pk, people["jones"].pk}
    assert set(event.details["people"]) == shown
    assert set(event.subjects.values_list("nominal_id", flat=True)) >= shown


def test_results_show_the_people_and_the_passage_found(people, london_officer):
    """Each result names the people it is about whom the viewer may see and shows the passage its
    search found, the matching words highlighted; an item under handling conditions shows no text."""
    long_text = ("Background on the group's finances. " * 8) + "Cash couriered through Dover port weekly."
    item = make_item(people["jones"], agency_code="hmpps-prisons-london", text=long_text)
    ItemSubject.objects.create(item=item, nominal=people["smith"], data_subject_category="associate")
    elsewhere = make_nominal(
        make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"),
        hub_code="yorkshire-humber",
        family="Hidden",
    )
    ItemSubject.objects.create(item=item, nominal=elsewhere, data_subject_category="associate")
    conditional = make_item(
        people["smyth"],
        agency_code="hmpps-prisons-london",
        grade="1BC",
        conditions=("S2",),
        text="Dover: informant's account of the couriers.",
    )
    html = signed_in(london_officer).get("/intelligence/", {"q": "dover"}).content.decode()
    row = html[html.index(f"/intelligence/{item.pk}/") :]
    row = row[: row.index("</tr>")]
    assert "JONES, Aled" in row and "SMITH, Callum" in row and "HIDDEN" not in row.upper()
    assert "<mark>Dover</mark>" in row and "…" in row  # the passage, not the whole text
    assert row.count("Background on the group") < 8
    other = html[html.index(f"/intelligence/{conditional.pk}/") :]
    other = other[: other.index("</tr>")]
    assert "informant" not in other and "Handling conditions apply" in other
