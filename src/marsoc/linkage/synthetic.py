"""Synthetic multi-agency feeds with ground truth: the same invented people as a prison, a probation
and a police system would hold them, with the noise real extracts carry (typos, nicknames, day and
month swapped, missing fields, aliases, changed surnames, associates sharing an address).

Every name and identifier is made up here; the `TRUTH` column says which records are one person.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from marsoc.core.identifiers import make_cro, make_nomis, make_pnc

from .nicknames import variants_of

GIVEN_M = """James Oliver Jack Harry George Noah Charlie Jacob Alfie Freddie Oscar Leo Logan Archie Theo
Thomas Joshua William Henry Max Lucas Ethan Isaac Mason Dylan Ryan Kai Jayden Reece Callum Connor Liam
Tyler Adam Mohammed Ali Omar Daniel David Michael Robert Richard Anthony Christopher Matthew Andrew
Stephen Nicholas Alexander Benjamin Samuel Jonathan Patrick Peter Kenneth Ronald Terence Leonard
Frederick Raymond Timothy Edward Joseph Lewis Kyle Jordan Bradley Aaron Nathan Dean Lee Wayne Craig
Darren Gary Jason Mark Paul Scott Shane Tariq Imran Bilal Hassan Yusuf Kwame Kofi Tomasz Piotr Marek
Luca Marco Andre Dmitri Sergei Viktor Arjun Ravi Sanjay""".split()
GIVEN_F = """Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Emily Chloe Ella Poppy
Evie Elizabeth Margaret Katherine Jennifer Rebecca Victoria Susan Deborah Patricia Samantha Jessica
Alexandra Abigail Charlotte Hannah Laura Sarah Emma Lucy Amy Natalie Kirsty Leanne Stacey Gemma Aisha
Fatima Zara Amina Priya Anita Magda Agnieszka Ioana Elena""".split()
FAMILY = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner
Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips
Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins
Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson
Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes
Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham
Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox
Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton Obrien
Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster
Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding
Porter Robertson Newton Oconnor Kennedy Nowak Kowalski Popescu Okafor Mensah Osei Chowdhury Rahman
Malik Iqbal Akhtar Bibi Sharma Gupta""".split()
SYLLABLES = "ash bar ben bri cal car dal den dor ell fen gar hal har ken lan ley mar mer nor ord pen ram rid sel ston tal ter ton val wen wick wood yard".split()
OUTWARD = """E1 E2 E3 E5 E8 E9 E10 E11 E13 E14 E15 E17 N1 N4 N7 N9 N15 N17 N18 SE1 SE5 SE6 SE8 SE13 SE15 SE18 SE28 SW2 SW8 SW9 SW11
SW16 W2 W3 W10 W12 NW1 NW6 NW9 NW10 B1 B5 B6 B8 B10 B11 B19 B20 B21 B23 M1 M4 M8 M9 M11 M13 M14 M16 M40 L4 L5 L6 L8 L11 L13
LS4 LS7 LS8 LS9 LS11 BD3 BD5 BD8 S2 S3 S5 S9 NG1 NG3 NG7 BS2 BS5 BS13 CF10 CF11 CF24 NE4 NE6 NE15 HU3 HU9""".split()

FEED_COLUMNS = {
    "prison": [
        "OFFENDER_NO",
        "FIRST_NAME",
        "LAST_NAME",
        "ALIASES",
        "BIRTH_DATE",
        "SEX_CODE",
        "POSTCODE",
        "PNC_NUMBER",
        "CRO_NUMBER",
        "ESTABLISHMENT",
        "TRUTH",
    ],
    "probation": [
        "CRN",
        "FORENAMES",
        "SURNAME",
        "OTHER_NAMES",
        "DOB",
        "GENDER",
        "ADDRESS_POSTCODE",
        "PNC",
        "CRO",
        "PRISON_NUMBER",
        "PROBATION_AREA",
        "TRUTH",
    ],
    "police": [
        "PERSON_REF",
        "GIVEN_NAME",
        "FAMILY_NAME",
        "AKA",
        "DATE_OF_BIRTH",
        "SEX",
        "LAST_KNOWN_POSTCODE",
        "PNC_ID",
        "CRO_NO",
        "FORCE",
        "TRUTH",
    ],
}


@dataclass
class TruePerson:
    key: str
    given: str
    family: str
    sex: str
    dob: date
    postcode: str
    pnc: str
    cro: str
    nomis: str
    crn: str
    former_family: str = ""
    alias: str = ""


@dataclass
class Feeds:
    people: list[TruePerson]
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def write(self, directory: Path) -> dict[str, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        paths = {}
        for source, rows in self.rows.items():
            path = directory / f"{source}.csv"
            write_csv(path, FEED_COLUMNS[source], rows)
            paths[source] = path
        return paths


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


class _LongTail:
    """Names drawn as real populations hold them: a few common names and a long tail of rare ones.
    Surname counts follow a power law (on a UK electoral roll about 42 % of surnames occur once and
    16 % twice; Guild of One-Name Studies, "Macro level"), so rank r is drawn with weight
    1 / (r + offset), the listed names first, then names invented from syllables. A flat pick from a
    short list would make every name common and give each person several exact namesakes."""

    def __init__(self, listed: list[str], invented: int, offset: float) -> None:
        names = list(listed)
        seen = {n.lower() for n in names}
        combos = itertools.chain(
            itertools.product(SYLLABLES, repeat=2), itertools.product(SYLLABLES, repeat=3)
        )
        for combo in combos:
            if len(names) >= len(listed) + invented:
                break
            name = "".join(combo)
            if name not in seen:
                seen.add(name)
                names.append(name.title())
        self.names = names
        self.cumulative = list(itertools.accumulate(1 / (rank + offset) for rank in range(1, len(names) + 1)))

    def pick(self, rng: random.Random) -> str:
        index = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.names[min(index, len(self.names) - 1)]


# About a quarter of men and a third of women get a first name outside the listed ones; surnames run to
# 40,000 (the listed 181 hold about a third of people, the commonest about 1 %).
_GIVEN = {"M": _LongTail(GIVEN_M, 150, 8), "F": _LongTail(GIVEN_F, 100, 6)}
_SURNAMES = _LongTail(FAMILY, 40_000, 10)


class _ShortList:
    """The name pool of sessions 1-3, kept so that their figures can be reproduced
    (`bench/linkage.py --name-pool short-list`): first names flat from the lists, surnames flat from
    the list or, one time in three, two invented syllables; about 1,300 surnames in all."""

    def given(self, rng: random.Random, sex: str) -> str:
        return rng.choice(GIVEN_M if sex == "M" else GIVEN_F)

    def family(self, rng: random.Random) -> str:
        if rng.random() < 0.35:
            return "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
        return rng.choice(FAMILY)


class _LongTailPool:
    """The default since session 4: realistic name frequencies (`_LongTail`)."""

    def given(self, rng: random.Random, sex: str) -> str:
        return _GIVEN[sex].pick(rng)

    def family(self, rng: random.Random) -> str:
        return _SURNAMES.pick(rng)


NAME_POOLS: dict[str, _ShortList | _LongTailPool] = {"long-tail": _LongTailPool(), "short-list": _ShortList()}


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.33:
        return text[:i] + text[i + 1 :]  # dropped letter
    if kind < 0.66:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swapped letters
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]  # wrong letter


def make_people(n: int, rng: random.Random, name_pool: str = "long-tail") -> list[TruePerson]:
    names = NAME_POOLS[name_pool]
    people = []
    used_nomis: set[str] = set()
    household: list[str] = []
    for i in range(n):
        sex = "M" if rng.random() < 0.85 else "F"
        given = names.given(rng, sex)
        if rng.random() < 0.25 and household:
            postcode = rng.choice(household)  # associates share an address
        else:
            postcode = f"{rng.choice(OUTWARD)}{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            household = [*household[-20:], postcode]
        while True:
            nomis = make_nomis(
                rng.choice("ABG"), rng.randint(0, 9999), rng.choice("ABCDEFGHJK") + rng.choice("ABCDEFGHJK")
            )
            if nomis not in used_nomis:
                used_nomis.add(nomis)
                break
        person = TruePerson(
            key=f"T{i:07d}",
            given=given,
            family=names.family(rng),
            sex=sex,
            dob=date(1960, 1, 1) + timedelta(days=rng.randint(0, 365 * 45)),
            postcode=postcode,
            pnc=make_pnc(rng.randint(1990, 2024), i),
            cro=make_cro(i % 999_999, rng.randint(0, 24)),
            nomis=nomis,
            crn=f"{rng.choice('BCDEX')}{i % 1_000_000:06d}",
        )
        if sex == "F" and rng.random() < 0.15:
            person.former_family = person.family
            person.family = names.family(rng)  # a changed surname; extracts may hold either
        if rng.random() < 0.1:
            person.alias = f"{names.given(rng, sex)} {names.family(rng)}"
        people.append(person)
    return people


def _dob_text(rng: random.Random, dob: date, fmt: str) -> str:
    r = rng.random()
    if r < 0.03:
        return ""
    if r < 0.08 and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)  # day and month swapped
    elif r < 0.11:
        dob = dob + timedelta(days=rng.choice([-1, 1, 10, -10]))  # a keying slip
    return dob.strftime(fmt)


def _names(rng: random.Random, p: TruePerson) -> tuple[str, str, list[str]]:
    given, family = p.given, p.family
    aliases = []
    if p.former_family:
        if rng.random() < 0.4:
            family = p.former_family
        if rng.random() < 0.6:
            aliases.append(f"{p.given} {p.former_family if family == p.family else p.family}")
    r = rng.random()
    if r < 0.08 and (nicks := variants_of(given.lower())):
        given = rng.choice(nicks).title()
    elif r < 0.13:
        given = _typo(rng, given)
    if rng.random() < 0.08:
        family = _typo(rng, family)
    if p.alias and rng.random() < 0.7:
        aliases.append(p.alias)
    return given, family, aliases


def _maybe(rng: random.Random, value: str, keep: float) -> str:
    return value if rng.random() < keep else ""


def make_feeds(
    n_people: int, *, seed: int = 1, bad_rows: int = 0, start: int = 0, name_pool: str = "long-tail"
) -> Feeds:
    """`n_people` people spread over three feeds (about 2.1 records each). `bad_rows` rows get an
    invalid identifier (the record is kept without it) or lose their family name (required: the
    row is quarantined)."""
    rng = random.Random(seed)
    people = make_people(n_people, rng, name_pool)
    feeds = Feeds(people=people, rows={"prison": [], "probation": [], "police": []})
    for p in people:
        where = [
            s
            for s, chance in (("prison", 0.55), ("probation", 0.7), ("police", 0.85))
            if rng.random() < chance
        ]
        if not where:
            where = [rng.choice(["prison", "probation", "police"])]
        for source in where:
            copies = 2 if source == "police" and rng.random() < 0.04 else 1  # duplicated within a force
            for copy in range(copies):
                given, family, aliases = _names(rng, p)
                postcode = (
                    p.postcode
                    if rng.random() < 0.75
                    else (rng.choice(OUTWARD) + "1AA" if rng.random() < 0.3 else "")
                )
                if source == "prison":
                    row = {
                        "OFFENDER_NO": p.nomis,
                        "FIRST_NAME": given,
                        "LAST_NAME": family.upper(),
                        "ALIASES": ";".join(aliases),
                        "BIRTH_DATE": _dob_text(rng, p.dob, "%Y-%m-%d"),
                        "SEX_CODE": _maybe(rng, p.sex, 0.97),
                        "POSTCODE": postcode,
                        "PNC_NUMBER": _maybe(rng, p.pnc, 0.6),
                        "CRO_NUMBER": _maybe(rng, p.cro, 0.3),
                        "ESTABLISHMENT": rng.choice(["LEI", "WDI", "PVI", "BMI"]),
                    }
                elif source == "probation":
                    row = {
                        "CRN": p.crn,
                        "FORENAMES": given,
                        "SURNAME": family,
                        "OTHER_NAMES": "|".join(aliases),
                        "DOB": _dob_text(rng, p.dob, "%d/%m/%Y"),
                        "GENDER": {"M": "Male", "F": "Female"}[p.sex],
                        "ADDRESS_POSTCODE": postcode.lower(),
                        "PNC": _maybe(rng, p.pnc, 0.5),
                        "CRO": "",
                        "PRISON_NUMBER": _maybe(rng, p.nomis, 0.25),
                        "PROBATION_AREA": "London",
                    }
                else:
                    row = {
                        "PERSON_REF": f"PR{len(feeds.rows['police']) + start:08d}",
                        "GIVEN_NAME": given,
                        "FAMILY_NAME": family,
                        "AKA": ";".join(aliases),
                        "DATE_OF_BIRTH": _dob_text(rng, p.dob, "%d/%m/%Y"),
                        "SEX": p.sex if rng.random() < 0.95 else "U",
                        "LAST_KNOWN_POSTCODE": postcode,
                        "PNC_ID": _maybe(rng, p.pnc, 0.4 if copy else 0.7),
                        "CRO_NO": _maybe(rng, p.cro, 0.3),
                        "FORCE": "Metropolitan Police Service",
                    }
                row["TRUTH"] = p.key
                feeds.rows[source].append(row)
    for _ in range(bad_rows):
        source = rng.choice(["prison", "police"])
        if feeds.rows[source]:
            row = rng.choice(feeds.rows[source])
            if source == "prison":
                row["PNC_NUMBER"] = "2001/0000001Z"  # wrong check letter (Q is right)
            else:
                row["FAMILY_NAME"] = ""  # required by the police mapping
    return feeds
