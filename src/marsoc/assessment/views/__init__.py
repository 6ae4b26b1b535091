"""Pages for assessment and prioritisation, one module per group of pages. Thin: parse, call selectors
and services, render."""
