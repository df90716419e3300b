"""The role matrix: who may see what, on every page the site links to.

Private markers are planted (a private appeal's text and exact address, a
sensitive appeal, an appeal still in moderation, an e-service application's
answers and document, a survey's free-text answer, a resident's contacts).
Each role signs in and walks every page reachable by links from the home
page, the cabinet, the admin and the API root, plus every admin changelist
and the change page of the planted rows. The test fails when a page shows a
marker to a role not allowed to see it, and on any 5xx.

Pages of one view are walked a few times each (a list's hundred rows add
nothing the first ones do not show), which keeps a role's walk to seconds.
"""

import contextlib
import json
import re
import uuid
from collections import Counter, deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from appeals.services import appeal_accept, appeal_answer, appeal_start
from appeals.services.registration import appeal_register
from tests.appeals.public_factories import public_appeal
from tests.conftest import _staff, password_only, sign_in
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal
from tests.services.factories import ServiceFactory, image_bytes, pdf_bytes, submit, upload
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

PRIVATE_TEXT = "ZQPRIVATEAPPEAL"
EXACT_ADDRESS = "ZQEXACTADDRESS"
SENSITIVE_TEXT = "ZQSENSITIVEAPPEAL"
MODERATION_TEXT = "ZQAWAITINGMODERATION"
APPLICATION_FIELD = "ZQAPPLICATIONFIELD"
DOCUMENT_NAME = "ZQDOCUMENTNAME"
SURVEY_TEXT = "ZQSURVEYFREETEXT"
ANSWER_FILE = "ZQANSWERFILE"
CONTACT_EMAIL = "zq-contact-mark@example.com"
CONTACT_NAME = "Зірковська"
CONTACT_PHONE = "671112233"  # digits of +380 67 111 22 33, however it is spaced
# A request for public information filed without an account: its contacts.
REQUESTER_EMAIL = "zq-requester-mark@example.com"
REQUESTER_ADDRESS = "ZQREQUESTERADDRESS"
# Art. 5: the author's place of residence, on the profile and snapshot on appeals.
RESIDENCE = "ZQRESIDENCESTREET"
# Art. 20: the document note of a verified priority status (sensitive data).
PRIORITY_DOCUMENT = "ZQPRIORITYDOCUMENT"
# An appeal staff registered from a hotline call, for a resident without an
# account: the name and place of residence it carries and the contact for the answer.
OFFLINE_NAME = "ZQOFFLINENAME"
OFFLINE_EMAIL = "zq-offline-mark@example.com"
OFFLINE_POSTAL = "ZQOFFLINEPOSTAL"
# An author who deleted their account (Law "On Personal Data Protection"):
# their appeal stays, nobody sees who they were, staff see the erased label.
ERASED_EMAIL = "zq-erased-mark@example.com"
ERASED_NAME = "Стертенко"
ERASED_LABEL = "видалено на їхнє прохання"

APPEALS = {PRIVATE_TEXT, EXACT_ADDRESS, SENSITIVE_TEXT, MODERATION_TEXT, ANSWER_FILE}
APPLICATION = {APPLICATION_FIELD, DOCUMENT_NAME}
CONTACTS = {CONTACT_EMAIL, CONTACT_NAME, CONTACT_PHONE}
REQUESTER = {REQUESTER_EMAIL, REQUESTER_ADDRESS}
OFFLINE = {OFFLINE_NAME, OFFLINE_EMAIL, OFFLINE_POSTAL}
ERASED = {ERASED_EMAIL, ERASED_NAME}
EVERY_MARKER = (
    APPEALS
    | APPLICATION
    | CONTACTS
    | REQUESTER
    | OFFLINE
    | ERASED
    | {SURVEY_TEXT, RESIDENCE, PRIORITY_DOCUMENT}
)

# Role -> the markers it may see. Contacts go with handling the case.
ALLOWED = {
    "anonymous": set(),
    "author": EVERY_MARKER - REQUESTER - OFFLINE - ERASED,
    "other_resident": set(),
    "moderator": APPEALS | CONTACTS | OFFLINE | {RESIDENCE, PRIORITY_DOCUMENT},
    "roads_staff": APPEALS | CONTACTS | OFFLINE | {RESIDENCE},
    "housing_staff": set(),
    "roads_head": APPEALS | CONTACTS | OFFLINE | {RESIDENCE},
    "editor": set(),
    "survey_manager": {SURVEY_TEXT},
    "service_officer": APPLICATION | CONTACTS | REQUESTER,
    "city_admin": CONTACTS,
    "staff_without_mfa": set(),
    "moderator_without_code": set(),
}

SKIP_PATHS = ("/accounts/logout/", "/admin/logout/", "/static/", "/sw.js")
PAGES_PER_VIEW = 6
QUERY_VARIANTS_PER_PATH = 2
MAX_PAGES = 400


@pytest.fixture
def world(db, private_root):
    """The planted rows and the people of each role."""
    roads = DepartmentFactory(slug="roads-matrix", name_uk="Дороги", name_en="Roads")
    housing = DepartmentFactory(slug="housing-matrix", name_uk="Житло", name_en="Housing")
    cnap = DepartmentFactory(slug="cnap-matrix", name_uk="ЦНАП", name_en="TsNAP")
    author = UserFactory(
        email=CONTACT_EMAIL,
        full_name=f"Ярина {CONTACT_NAME}",
        residence=f"Херсон, вул. {RESIDENCE}",
    )
    author.phone = "+380671112233"
    author.save(update_fields=["phone"])
    moderator = _staff("moderator", email="moderator-matrix@example.com")
    from citizens.services import priority_decide, priority_declare

    priority_decide(
        status=priority_declare(user=author, category="combatant", document=PRIORITY_DOCUMENT),
        by=moderator,
        verified=True,
    )
    category = CategoryFactory(department=roads)
    sensitive = CategoryFactory(department=roads, sensitive=True)
    answered = public_appeal(author, category=category, title="Публічне звернення про ліхтар")
    public_appeal(
        author,
        category=category,
        is_public=False,
        title=f"Скарга {PRIVATE_TEXT}",
        address=f"вул. {EXACT_ADDRESS}, 5",
        photos=[upload(image_bytes(), "photo.jpg", "image/jpeg")],
    )
    public_appeal(author, category=sensitive, description=f"Опис {SENSITIVE_TEXT}")
    submit_appeal(author, category=category, description=f"Опис {MODERATION_TEXT}")

    service = ServiceFactory(department=cnap)
    submit(
        author,
        service,
        answers=[
            {
                "code": "q",
                "type": "text",
                "label": {"uk": "Питання", "en": "Question"},
                "value": APPLICATION_FIELD,
            }
        ],
        documents=[("scan", upload(pdf_bytes(), f"{DOCUMENT_NAME}.pdf"))],
    )

    from services.services import public_request_submit

    public_request_submit(
        service=ServiceFactory(department=cnap, online=True, public_information=True),
        name="Запитувач без акаунта",
        email=REQUESTER_EMAIL,
        postal_address=f"вул. {REQUESTER_ADDRESS}, 1",
        answers=[],
        idempotency_key=uuid.uuid4(),
    )

    from surveys.services import survey_respond

    survey = SurveyFactory(results_visibility="live", is_anonymous=False)
    question = QuestionFactory(survey=survey, kind="long_text", required=False)
    survey_respond(survey=survey, user=author, raw={str(question.pk): SURVEY_TEXT})

    from citizens.personal_data import user_erase

    erased = UserFactory(email=ERASED_EMAIL, full_name=f"Богдан {ERASED_NAME}")
    public_appeal(erased, category=category, title="Звернення людини, що видалила акаунт")
    user_erase(user=erased)

    roads_staff = _staff("department_staff", email="roads@example.com")
    roads.members.add(roads_staff)
    # The official answer of a public appeal, with a file staff did not make public.
    answered = appeal_start(appeal=answered, staff=roads_staff)
    appeal_answer(
        appeal=answered,
        staff=roads_staff,
        text="Ліхтар замінено.",
        attachments=[upload(pdf_bytes(), f"{ANSWER_FILE}.pdf")],
    )
    housing_staff = _staff("department_staff", email="housing@example.com")
    housing.members.add(housing_staff)
    roads_head = _staff("department_head", email="roads-head@example.com")
    roads.head = roads_head
    roads.save(update_fields=["head"])
    officer = _staff("service_officer", email="officer-matrix@example.com")
    cnap.members.add(officer)
    without_mfa = _staff("department_staff", mfa=False, email="no-mfa-matrix@example.com")
    roads.members.add(without_mfa)
    offline, _code, _created = appeal_register(
        staff=moderator,
        channel="hotline",
        full_name=f"Ковальчук {OFFLINE_NAME}",
        residence="Херсон, вул. Перекопська",
        email=OFFLINE_EMAIL,
        postal_address=f"вул. {OFFLINE_POSTAL}, 3",
        kind="problem",
        category=category,
        title="Звернення з гарячої лінії",
        description="Не вивозять сміття.",
        idempotency_key=uuid.uuid4(),
    )
    appeal_accept(appeal=offline, moderator=moderator)
    return {
        "anonymous": None,
        "author": author,
        "other_resident": UserFactory(email="other-matrix@example.com"),
        "moderator": moderator,
        "roads_staff": roads_staff,
        "housing_staff": housing_staff,
        "roads_head": roads_head,
        "editor": _staff("editor", email="editor-matrix@example.com"),
        "survey_manager": _staff("survey_manager", email="surveys-matrix@example.com"),
        "service_officer": officer,
        "city_admin": _staff("city_admin", email="cityadmin-matrix@example.com"),
        "staff_without_mfa": without_mfa,
        "moderator_without_code": moderator,
    }


@pytest.fixture
def private_root(settings, tmp_path):
    from tests.services.conftest import private_root as services_private_root

    yield from services_private_root.__wrapped__(settings, tmp_path)


def client_for_role(role: str, user) -> Client:
    if user is None:
        return Client()
    if role == "moderator_without_code":
        return password_only(user)
    return sign_in(Client(), user)


def start_urls() -> list[str]:
    """The entry pages, and the address of every planted row, which a stranger may guess."""
    from appeals.models import Appeal
    from services.models import Application

    urls = ["/", reverse("citizens:cabinet"), reverse("admin:index"), "/api/v1/"]
    urls += ["/api/v1/appeals/mine/", "/api/v1/applications/"]
    for reference in Appeal.objects.values_list("reference", flat=True):
        urls += [reverse("appeals:detail", args=[reference]), f"/api/v1/appeals/{reference}/"]
    for reference in Application.objects.values_list("reference", flat=True):
        urls += [
            reverse("services:application", args=[reference]),
            f"/api/v1/applications/{reference}/",
        ]
    urls += list(private_files())
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        # The change pages of every row (the planted world is small).
        for pk in model_admin.model._default_manager.values_list("pk", flat=True)[:20]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    return urls


HREF = re.compile(r"""(?:href|action|src|data-url|hx-get)\s*=\s*["']([^"']+)["']""")
JSON_URL = re.compile(r'"(?:https?://testserver)?(/[^"\s]*)"')


def links(body: str, base: str, content_type: str) -> list[str]:
    if "json" in content_type:
        found = JSON_URL.findall(body)
    elif "html" in content_type:
        found = [unescape(u) for u in HREF.findall(body)]
    else:
        return []
    urls = []
    for url in found:
        url = urldefrag(urljoin(base, url))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        # The admin carries the list's filters along to every row: the same page.
        query = "&".join(
            p for p in parts.query.split("&") if p and not p.startswith("_changelist_filters=")
        )
        urls.append(parts.path + (f"?{query}" if query else ""))
    return urls


# url -> status of the last walk (downloads are not searched for markers).
statuses: dict[str, int] = {}


def private_files() -> dict[str, set[str]]:
    """Download addresses of the planted files -> the markers whose readers may fetch them."""
    from appeals.models import AnswerAttachment, AppealPhoto
    from services.models import Document

    files = {
        reverse("services:document", args=[pk]): APPLICATION
        for pk in Document.objects.values_list("pk", flat=True)
    }
    for pk, reference in AnswerAttachment.objects.values_list("pk", "message__appeal__reference"):
        files[reverse("appeals:answer_file", args=[reference, pk])] = APPEALS
        files[f"/api/v1/appeals/{reference}/files/{pk}/"] = APPEALS
    # Photos of the private appeal only: a public appeal's photos are public.
    for pk, reference in AppealPhoto.objects.filter(appeal__is_public=False).values_list(
        "pk", "appeal__reference"
    ):
        files[reverse("appeals:photo", args=[reference, pk])] = APPEALS
        files[f"/api/v1/appeals/{reference}/photos/{pk}/"] = APPEALS
    return files


def walk(client: Client) -> tuple[dict[str, str], list[str]]:
    """Every page reachable from the start URLs: url -> body, and the 5xx seen."""
    seen: set[str] = set()
    per_view: Counter = Counter()
    per_path: Counter = Counter()
    queue = deque(start_urls())
    pages: dict[str, str] = {}
    statuses.clear()
    errors = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP_PATHS):
            continue
        seen.add(url)
        path, _sep, query = url.partition("?")
        try:
            match = resolve(path)
        except Resolver404:
            continue
        view = match.view_name or match.func.__qualname__
        if query:
            per_path[path] += 1
            if per_path[path] > QUERY_VARIANTS_PER_PATH:
                continue
        else:
            per_view[view] += 1
            # Every planted row's admin page; a few of any other view.
            if per_view[view] > PAGES_PER_VIEW and not view.endswith("_change"):
                continue
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {url}")
            continue
        if response.status_code != 200 or response.streaming:
            continue
        content_type = response.get("Content-Type", "")
        body = response.content.decode("utf-8", "replace")
        if "json" in content_type:
            # Escaped non-ASCII (\u0417…) would hide a name from the search below.
            with contextlib.suppress(ValueError):
                body = json.dumps(json.loads(body), ensure_ascii=False)
        pages[url] = body
        queue.extend(links(body, url, content_type))
    return pages, errors


def shown(body: str) -> set[str]:
    digits = re.sub(r"[\s\-()]", "", body)
    found = {m for m in EVERY_MARKER - {CONTACT_PHONE} if m in body}
    if CONTACT_PHONE in digits:
        found.add(CONTACT_PHONE)
    return found


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_sees_only_what_it_may(world, role):
    client = client_for_role(role, world[role])

    pages, errors = walk(client)

    leaks = sorted(
        f"{marker} on {url}"
        for url, body in pages.items()
        for marker in shown(body) - ALLOWED[role]
    )
    fetched = sorted(
        url
        for url, readers in private_files().items()
        if statuses.get(url) == 200 and not readers & ALLOWED[role]
    )
    assert not errors, errors
    assert not leaks, f"{role} saw: " + "; ".join(leaks)
    assert not fetched, f"{role} downloaded: {fetched}"
    assert len(pages) > 10  # the walk found the site


def test_the_author_finds_every_marker_of_their_own(world):
    """The walk reaches the pages that show the markers: otherwise the matrix proves nothing."""
    pages, _errors = walk(client_for_role("author", world["author"]))

    found = set().union(*(shown(body) for body in pages.values()))
    assert (APPEALS | APPLICATION | CONTACTS | {RESIDENCE, PRIORITY_DOCUMENT}) - found == set()
    files = private_files()
    assert {"/documents/", "/files/", "/photos/"} <= {
        kind for kind in ("/documents/", "/files/", "/photos/") for url in files if kind in url
    }
    assert all(statuses.get(url) == 200 for url in files)


@pytest.mark.parametrize("role", ["moderator", "roads_staff", "service_officer", "survey_manager"])
def test_staff_reach_the_markers_of_their_work(world, role):
    pages, _errors = walk(client_for_role(role, world[role]))

    found = set().union(*(shown(body) for body in pages.values()))
    assert found & ALLOWED[role], f"{role} reached none of {sorted(ALLOWED[role])}"
    if role in {"moderator", "roads_staff"}:
        assert found >= OFFLINE, "the contact for the answer of a registered appeal"
        assert any(ERASED_LABEL in body for body in pages.values())
