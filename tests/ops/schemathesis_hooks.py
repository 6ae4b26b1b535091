"""Schemathesis hooks for tests/ops/test_api_conformance.py: generators for the identifier formats the
OpenAPI document names (core.api_fields.IDENTIFIER_FORMATS), built with the check letters the server
verifies. Loaded by the CLI through SCHEMATHESIS_HOOKS."""

import schemathesis
from hypothesis import strategies as st

from marsoc.core.api_fields import IDENTIFIER_FORMATS
from marsoc.core.identifiers import IdentifierType, make_crn, make_cro, make_nomis, make_pnc

LETTER = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

schemathesis.openapi.format(
    IDENTIFIER_FORMATS[IdentifierType.PNC],
    st.builds(make_pnc, st.integers(1990, 2025), st.integers(1, 9_999_999)),
)
schemathesis.openapi.format(
    IDENTIFIER_FORMATS[IdentifierType.CRO], st.builds(make_cro, st.integers(1, 999_999), st.integers(0, 99))
)
schemathesis.openapi.format(
    IDENTIFIER_FORMATS[IdentifierType.NOMIS],
    st.builds(make_nomis, LETTER, st.integers(0, 9_999), st.builds(lambda a, b: a + b, LETTER, LETTER)),
)
schemathesis.openapi.format(
    IDENTIFIER_FORMATS[IdentifierType.CRN], st.builds(make_crn, LETTER, st.integers(0, 999_999))
)
