"""Checks on free text that every input path (pages, API, imports) applies in its service."""

import unicodedata


def control_character_problem(text: str) -> str:
    """Why `text` cannot be a name or a label ("" when it can): a control character (tab, newline, NUL,
    escape ...) or an unpaired surrogate, anywhere in it. Such a name breaks exports, matching and
    display, and one at the start can make a spreadsheet execute the cell."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            return "must not contain control characters (such as a tab, a new line or NUL)"
        if category == "Cs":
            return "must not contain unpaired surrogate characters"
    return ""


# Characters that make a name display or compare as something it is not: bidirectional embeddings,
# overrides and isolates (the "Trojan Source" trick: "Smith" shown for a name stored backwards), and
# invisible zero-width characters (so that "Smith" and "Sm<ZWSP>ith" look the same and never match).
# Joiners (U+200C, U+200D) and the left/right marks are left alone: scripts such as Persian and the
# Indic ones need them.
DISGUISING = {
    **{chr(c): "a bidirectional control character" for c in range(0x202A, 0x202F)},
    **{chr(c): "a bidirectional control character" for c in range(0x2066, 0x206A)},
    "\u200b": "a zero-width space",
    "\u2060": "a word joiner (an invisible character)",
    "\ufeff": "a zero-width no-break space",
}


def disguising_character_problem(text: str) -> str:
    """Why `text` cannot be a name ("" when it can): a character that disguises how it reads."""
    for ch in text:
        if ch in DISGUISING:
            return f"must not contain {DISGUISING[ch]} (U+{ord(ch):04X}): it disguises how the name reads"
    return ""
