#!/usr/bin/env python3
"""A resident's whole journey through the REST API, as the city's phone app makes it.

A sample client for app developers and a check that the API stays usable end to
end: CI runs it against a live test server (tests/api/test_journey.py). It uses
nothing but `requests` and the published API, never the project's code.

    .venv/bin/python scripts/api_journey.py http://127.0.0.1:8000 resident@example.org

It signs up with that address (the password is made up), asks for the code from
the e-mail on standard input (`make run` prints e-mails to its console), sets the
profile and notifications, registers a phone for push (with --fcm-token), files an
appeal, looks around, signs out, and resets the password by a second code. Each
step prints what it did; the first answer that is not what the API documents
stops it with the call and the answer.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

AUTH = "/api/v1/auth/app/v1"


class JourneyError(Exception):
    """An answer the API documentation does not promise."""


@dataclass
class App:
    """What the app keeps between calls: the server, its language and the session token."""

    base_url: str
    language: str = "en"
    token: str | None = None
    log: Callable[[str], None] = print
    http: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, *, expect: int | tuple[int, ...] = 200, **kwargs):
        headers = {"Accept-Language": self.language, **kwargs.pop("headers", {})}
        if self.token:
            headers["X-Session-Token"] = self.token
        response = self.http.request(
            method, self.base_url + path, headers=headers, timeout=30, **kwargs
        )
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise JourneyError(
                f"{method} {path}: {response.status_code}, expected {wanted}: {response.text[:500]}"
            )
        return response

    def step(self, text: str) -> None:
        self.log(f"- {text}")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise JourneyError(message)


def sign_up(app: App, email: str, password: str, read_code: Callable[[], str]) -> None:
    body = {
        "email": email,
        "password": password,
        "full_name": "Journey Resident",
        "accept_privacy": True,
    }
    answer = app.call("POST", f"{AUTH}/auth/signup", json=body, expect=401).json()
    flows = {flow["id"]: flow for flow in answer["data"]["flows"]}
    expect(flows.get("verify_email", {}).get("is_pending"), f"no pending verification: {answer}")
    app.token = answer["meta"]["session_token"]
    app.step("signed up; the address waits for its code")
    code = read_code().strip()
    verified = app.call("POST", f"{AUTH}/auth/email/verify", json={"key": code}).json()
    app.token = verified["meta"].get("session_token", app.token)
    expect(verified["data"]["user"]["email"] == email, f"signed in as someone else: {verified}")
    app.step("address confirmed by its code, signed in without a second login")


def sign_out(app: App) -> None:
    app.call("DELETE", f"{AUTH}/auth/session", expect=401)
    refused = app.call("GET", "/api/v1/appeals/mine/", expect=401)
    expect("WWW-Authenticate" in refused.headers, "a stale token's 401 without WWW-Authenticate")
    expect(
        refused.headers["Content-Type"].startswith("application/problem+json"),
        f"a 401 that is not problem details: {refused.headers['Content-Type']}",
    )
    app.token = None
    app.step("signed out; the old token is refused with 401 and WWW-Authenticate")


def reset_the_password(app: App, email: str, read_code: Callable[[], str]) -> str:
    """Forgot the password: a code by e-mail, a new password, a sign-in with it."""
    asked = app.call("POST", f"{AUTH}/auth/password/request", json={"email": email}, expect=401)
    app.token = asked.json()["meta"]["session_token"]
    password = "journey-" + secrets.token_urlsafe(12)
    code = read_code().strip()
    app.call(
        "POST",
        f"{AUTH}/auth/password/reset",
        json={"key": code, "password": password},
        expect=(200, 401),
    )
    app.token = None
    login = app.call("POST", f"{AUTH}/auth/login", json={"email": email, "password": password})
    app.token = login.json()["meta"]["session_token"]
    app.step("password reset by a code, signed in with the new one")
    return password


def set_up_the_profile(app: App) -> dict:
    """Home district and language, as the app's first screen asks; then the notifications."""
    districts = page(app.call("GET", "/api/v1/districts/").json())
    expect(districts, "no districts")
    home = districts[0]
    profile = app.call(
        "PATCH",
        "/api/v1/account/profile/",
        json={"district": home["slug"], "preferred_language": app.language},
    ).json()
    expect(profile["district"] == home["slug"], f"the home district was not kept: {profile}")
    app.step(f"profile: home district {profile['district_name']}")
    settings = app.call("GET", "/api/v1/account/notifications/").json()
    channels = [channel["key"] for channel in settings["channels"]]
    event = settings["events"][0]
    offered = [row["channel"] for row in event["channels"]]
    changed = app.call(
        "PATCH",
        "/api/v1/account/notifications/",
        json={
            "choices": [{"event": event["key"], "channel": offered[0], "enabled": True}],
            "quiet_hours": {"start": "23:00", "end": "07:00"},
        },
    ).json()
    expect(changed["quiet_hours"]["start"] == "23:00", f"quiet hours not kept: {changed}")
    app.step(f"notifications: channels {', '.join(channels)}; quiet 23:00-07:00")
    return home


def register_the_phone(app: App, fcm_token: str) -> None:
    body = {"token": fcm_token, "platform": "android", "name": "Journey phone"}
    app.call("POST", "/api/v1/devices/", json=body, expect=201)
    app.call("POST", "/api/v1/devices/", json=body, expect=200)  # onNewToken again: same one
    phones = page(app.call("GET", "/api/v1/devices/").json())
    expect(len(phones) == 1 and "token" not in phones[0], f"phones: {phones}")
    app.step("phone registered for push (twice, kept once)")


def answer(question: dict):
    """A valid answer to a category question, from what the listing says."""
    if question["type"] == "single":
        return question["choices"][0]["key"]
    if question["type"] == "multiple":
        return [question["choices"][0]["key"]]
    if question["type"] == "number":
        return 1
    if question["type"] == "yes_no":
        return "yes"
    return "text"


def file_an_appeal(app: App, home: dict) -> str:
    listing = app.call("GET", "/api/v1/categories/")
    etag = listing.headers.get("ETag")
    expect(bool(etag), "categories without an ETag")
    app.call("GET", "/api/v1/categories/", headers={"If-None-Match": etag}, expect=304)
    categories = page(listing.json())
    expect(categories, "no categories")
    # The choices' keys are the same in every language: read in Ukrainian, file in English.
    category = categories[0]
    app.language, english = "uk", app.language
    read_in_ukrainian = app.call("GET", f"/api/v1/categories/{category['slug']}/").json()
    app.language = english
    latitude, longitude = home["centre"]
    body = {
        "kind": "problem",
        "category": category["slug"],
        "title": "Streetlight out at the bus stop",
        "description": "The streetlight at the bus stop has been out for three nights.",
        "is_public": True,
        "latitude": latitude,
        "longitude": longitude,
        "answers": {q["code"]: answer(q) for q in read_in_ukrainian.get("questions", [])},
        "idempotency_key": secrets.token_hex(16),
    }
    filed = app.call("POST", "/api/v1/appeals/", json=body, expect=201).json()
    again = app.call("POST", "/api/v1/appeals/", json=body, expect=(200, 201)).json()
    expect(again["reference"] == filed["reference"], "a repeated send filed a second appeal")
    app.step(f"filed appeal {filed['reference']} (sent twice, filed once)")
    mine = page(app.call("GET", "/api/v1/appeals/mine/").json())
    expect(
        any(row["reference"] == filed["reference"] for row in mine),
        "the new appeal is not among one's own",
    )
    detail = app.call("GET", f"/api/v1/appeals/{filed['reference']}/").json()
    app.step(f"reads it back: {detail['status']}")
    return filed["reference"]


def look_around(app: App, home: dict) -> None:
    """Public appeals near home, nearest first, and the news and alerts, polled with ETags."""
    latitude, longitude = home["centre"]
    near = app.call("GET", f"/api/v1/appeals/?near={latitude},{longitude}&radius=3000")
    expect("RateLimit-Remaining" in near.headers, "no rate-limit headers")
    app.step(
        f"{near.json()['count']} public appeals within 3 km; "
        f"{near.headers['RateLimit-Remaining']} calls left this minute"
    )
    for path in ("/api/v1/news/", "/api/v1/alerts/"):
        first = app.call("GET", path)
        etag = first.headers.get("ETag")
        expect(bool(etag), f"{path} without an ETag")
        app.call("GET", path, headers={"If-None-Match": etag}, expect=304)
    app.step("news and alerts polled with If-None-Match: 304 when unchanged")
    missing = app.call("GET", "/api/v1/no-such-thing/", expect=404)
    problem = missing.json()
    expect(
        missing.headers["Content-Type"].startswith("application/problem+json")
        and problem["status"] == 404,
        f"an unknown path is not problem details: {missing.text[:200]}",
    )
    app.step("an unknown address answers problem details, not a web page")


def page(body):
    """The rows of a list, paged or not."""
    return body["results"] if isinstance(body, dict) else body


def journey(
    base_url: str, email: str, read_code: Callable[[], str], *, fcm_token: str = "", log=print
) -> App:
    """The whole journey; returns the signed-in app. Raises JourneyError on a surprise."""
    password = "journey-" + secrets.token_urlsafe(12)
    app = App(base_url.rstrip("/"), log=log)
    log(f"journey for {email} at {app.base_url}")
    sign_up(app, email, password, read_code)
    home = set_up_the_profile(app)
    if fcm_token:
        register_the_phone(app, fcm_token)
    file_an_appeal(app, home)
    look_around(app, home)
    app.call("GET", "/api/v1/notifications/")
    app.step("inbox read")
    sign_out(app)
    reset_the_password(app, email, read_code)
    log("journey complete")
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("email", help="an address not signed up yet")
    parser.add_argument("--fcm-token", default="", help="register this FCM token as a phone")
    args = parser.parse_args(argv)
    try:
        journey(
            args.base_url,
            args.email,
            lambda: input("Code from the e-mail: "),
            fcm_token=args.fcm_token,
        )
    except JourneyError as exc:
        sys.stderr.write(f"FAILED: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
