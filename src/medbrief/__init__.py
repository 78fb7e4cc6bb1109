"""medbrief: structured medical summaries → print-ready PDFs and editable decks."""

__version__ = "0.1.0"
