"""The deck writers' typed context: the theme (untrusted) turned into a :class:`DeckStyle`.

Colours are already validated hex values; the organisation's master and measuring fonts must
be files inside the project's content folder.  Used by the PowerPoint writer and the
slides-with-notes PDF alike, so both fit the deck with the same style, master and fonts.
"""

from __future__ import annotations

import datetime as dt

from ..deck.model import DeckStyle, default_layouts
from ..loader import Project


def deck_style(project: Project, created: dt.datetime | None) -> DeckStyle:
    """The theme's look and the organisation's metadata, as the deck writers want them."""
    theme = project.theme
    c = theme.colours
    checked = project.theme_files  # resolved and validated when the project was loaded
    files = {}
    if checked.font_regular and checked.font_bold:
        files = {"font_regular": checked.font_regular, "font_bold": checked.font_bold}
    master = checked.master
    return DeckStyle(
        font=theme.fonts.deck,
        title_color=c.primary,
        text_color=c.text,
        accent_color=c.accent,
        background_color=c.background,
        muted_color=c.muted,
        table_header_fill=c.primary,
        table_header_text=c.on_primary,
        table_band=c.box_background,
        master=master,
        layouts={**default_layouts(), **theme.layouts} if master else default_layouts(),
        author=theme.organisation.name,
        language=theme.language,
        created=created,
        asset_root=project.root,
        **files,
    )
