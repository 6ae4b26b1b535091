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
