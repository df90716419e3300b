"""The fault drill's HTTP client, load and mail server (scripts/fault_drill.py uses them)."""

import asyncio
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email import message_from_bytes

WEB_PORT = 8031
BASE = f"http://127.0.0.1:{WEB_PORT}"
PAGES = ["/", "/accounts/login/", "/requests/", "/news/", "/api/v1/appeals/", "/healthz"]
DEMO_PASSWORD = "kherson-demo-2026"  # citizens/demo.py: public demo logins
SMTP_PORT = 2526


# --- HTTP ------------------------------------------------------------------------


def request(path: str, *, opener=None, data=None, headers=None, timeout=10):
    """(status, headers, body) of one request; status 0 when no answer came."""
    req = urllib.request.Request(BASE + path, data=data, headers=headers or {})  # noqa: S310
    try:
        with (opener or urllib.request.build_opener(NoRedirect)).open(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except Exception:  # refused, reset, timed out: no answer
        return 0, {}, b""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(path: str) -> int:
    return request(path)[0]


class Load(threading.Thread):
    """Anonymous GETs of PAGES at about `rate` requests/s from 8 threads, each result kept."""

    def __init__(self, rate: float = 40):
        super().__init__(daemon=True)
        self.rate, self.results, self.running = rate, [], True

    def run(self) -> None:
        lock = threading.Lock()

        def loop(offset: int) -> None:
            number = offset
            while self.running:
                path = PAGES[number % len(PAGES)]
                code, headers, _body = request(path)
                with lock:
                    self.results.append((time.monotonic(), path, code, headers.get("Retry-After")))
                number += 8
                time.sleep(8 / self.rate)

        threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def stop(self) -> list:
        self.running = False
        self.join(15)
        return self.results


def failures(results, *, allow_503: bool = False) -> int:
    """Answers that are errors: any 5xx but /healthz's (its 503 is the point), and,
    with `allow_503`, but a 503 that says when to retry."""
    return sum(
        1
        for _at, path, code, retry in results
        if code >= 500 and path != "/healthz" and not (allow_503 and code == 503 and retry)
    )


def codes(results, start=None, end=None) -> Counter:
    return Counter(
        code for at, _path, code, _retry in results
        if (start is None or at >= start) and (end is None or at < end)
    )  # fmt: skip


def sign_in(email: str):
    """An opener with a signed-in session (allauth's login form), or None."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    code, _headers, body = request("/accounts/login/", opener=opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if code != 200 or not token:
        return None, code
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "login": email, "password": DEMO_PASSWORD}
    ).encode()
    code, _headers, _body = request(
        "/accounts/login/", opener=opener, data=form, headers={"Referer": BASE + "/accounts/login/"}
    )
    return (opener if code == 302 else None), code


def file_appeal(opener) -> int:
    """POST the filing form (a problem about street lighting); 302 when it was registered."""
    path = "/requests/new/?kind=problem&category=streetlight"
    code, _headers, body = request(path, opener=opener)
    if code != 200:
        return code
    fields = dict(re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    fields = {k.decode(): v.decode() for k, v in fields.items()}
    fields.update(
        title="Не світить ліхтар (навчання)",
        description="Навчальне звернення: не світить ліхтар біля будинку вже тиждень.",
        address="вул. Перекопська, 1",
        visibility="private",
    )
    code, _headers, _body = request(
        path, opener=opener, data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": BASE + path},
    )  # fmt: skip
    return code


# --- the mail server ---------------------------------------------------------------


class SmtpSink:
    """aiosmtpd on SMTP_PORT: keeps (Message-ID, To, Subject) of each message it receives.

    With `delay`, it holds its "250 OK" that long after receiving a message:
    a worker killed then has handed the message over without hearing so.
    """

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received, self.delay = [], 0.0
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                message = message_from_bytes(envelope.content)
                sink.received.append(
                    (message.get("Message-ID"), tuple(envelope.rcpt_tos), message.get("Subject"))
                )
                if sink.delay:
                    await asyncio.sleep(sink.delay)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
