class NewsError(Exception):
    """A refused news or alert operation; the message is shown to the person."""
