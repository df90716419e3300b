class SurveyError(Exception):
    """A refused survey operation; the message is shown to the user.

    `errors` maps question ids to messages when answers were refused.
    """

    def __init__(self, message: str, errors: dict[int, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}
