"""The one error parsers raise, so callers can record it and carry on."""


class ParseError(ValueError):
    """The input cannot be understood at all (truncated/corrupt file, empty or garbage page).

    The message says what was wrong and, where possible, what to do.
    """
