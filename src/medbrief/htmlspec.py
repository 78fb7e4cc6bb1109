"""Facts about HTML that several readers of generated pages need."""

VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
"""Elements that never have an end tag (HTML Living Standard, "void elements")."""
