"""Common English given-name variants, each mapped to one canonical form, so "Bill" can meet
"William". Written for this project from general knowledge; short on purpose."""

_GROUPS = {
    "william": ["bill", "billy", "will", "willy", "liam"],
    "robert": ["bob", "bobby", "rob", "robbie", "bert"],
    "richard": ["rick", "ricky", "dick", "rich", "richie"],
    "james": ["jim", "jimmy", "jamie"],
    "john": ["jack", "johnny", "jon"],
    "michael": ["mike", "mick", "micky", "mikey"],
    "thomas": ["tom", "tommy"],
    "christopher": ["chris", "kit"],
    "anthony": ["tony", "ant"],
    "daniel": ["dan", "danny"],
    "david": ["dave", "davey"],
    "joseph": ["joe", "joey"],
    "edward": ["ed", "eddie", "ted", "ned"],
    "matthew": ["matt", "matty"],
    "andrew": ["andy", "drew"],
    "stephen": ["steve", "stevie", "steven"],
    "nicholas": ["nick", "nicky"],
    "alexander": ["alex", "sandy", "alec"],
    "benjamin": ["ben", "benny"],
    "samuel": ["sam", "sammy"],
    "jonathan": ["jon", "jonny"],
    "patrick": ["pat", "paddy"],
    "peter": ["pete"],
    "charles": ["charlie", "chas", "chuck"],
    "henry": ["harry", "hal"],
    "lawrence": ["larry", "laurie"],
    "kenneth": ["ken", "kenny"],
    "ronald": ["ron", "ronnie"],
    "terence": ["terry"],
    "leonard": ["len", "lenny"],
    "gerald": ["gerry"],
    "frederick": ["fred", "freddie"],
    "raymond": ["ray"],
    "timothy": ["tim", "timmy"],
    "elizabeth": ["liz", "lizzie", "beth", "betty", "eliza"],
    "margaret": ["maggie", "peggy", "meg"],
    "katherine": ["kate", "katie", "kathy", "kat", "catherine"],
    "jennifer": ["jen", "jenny"],
    "rebecca": ["becky", "becca"],
    "victoria": ["vicky", "tori"],
    "susan": ["sue", "suzy"],
    "deborah": ["debbie", "deb"],
    "patricia": ["pat", "patty", "trish"],
    "samantha": ["sam", "sammy"],
    "jessica": ["jess", "jessie"],
    "alexandra": ["alex", "lexi", "sasha"],
    "abigail": ["abby", "abi"],
    "charlotte": ["lottie", "charlie"],
    "nathaniel": ["nat", "nathan"],
    "mohammed": ["mohammad", "muhammad", "mo"],
}

CANONICAL: dict[str, str] = {}
for canonical, variants in _GROUPS.items():
    CANONICAL.setdefault(canonical, canonical)
    for variant in variants:
        CANONICAL.setdefault(variant, canonical)


def canonical_first_name(name: str) -> str:
    key = name.strip().lower()
    return CANONICAL.get(key, key)


def variants_of(canonical: str) -> list[str]:
    return list(_GROUPS.get(canonical, []))
