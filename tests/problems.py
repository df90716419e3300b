"""Reading the API's error envelope (RFC 9457 problem details, mycity/api_errors.py) in tests."""


def fields(response) -> set[str]:
    """The fields the errors are about: their dotted paths and the first part of each."""
    attrs = {error["attr"] for error in response.json()["errors"] if error["attr"]}
    return attrs | {attr.split(".")[0] for attr in attrs}


def messages(response, attr: str | None) -> list[str]:
    """The messages of the errors about the field `attr` (None: the request as a whole)."""
    return [error["detail"] for error in response.json()["errors"] if error["attr"] == attr]
