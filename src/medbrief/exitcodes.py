"""The command line's exit statuses, defined once (README "Command line" documents them)."""

EXIT_OK = 0
"""Everything asked for was built, or checked without errors."""
EXIT_FAILED = 1
"""A document failed to build, a quality gate failed, or nothing matched the filters."""
EXIT_INVALID = 2
"""Bad usage or invalid content: nothing was built."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C (128 + SIGINT); previous outputs are unchanged."""
