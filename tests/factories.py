"""factory_boy factories shared by the whole suite."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from citizens.models import User
from citizens.roles import ROLES
from mycity.models import Department, District

PASSWORD = "river-dnipro-2026"
# Base32, the form allauth stores; tests compute codes from it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def square(*, west: float, south: float, size: float = 0.01) -> dict:
    """A GeoJSON square, counter-clockwise from the south-west corner."""
    east, north = west + size, south + size
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Оксана Коваленко {n}")
    # Art. 5: residents file with their place of residence; tests of anonymous
    # appeals blank it.
    residence = "Херсон, вул. Перекопська"
    password = factory.django.Password(PASSWORD)
    # An existing account: it went through the welcome step after its first
    # sign-in. Tests of that step pass onboarded_at=None.
    onboarded_at = factory.LazyFunction(timezone.now)


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    name_uk = factory.Sequence(lambda n: f"Район {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    # Squares side by side along the 46.6° parallel, so districts never overlap.
    boundary = factory.Sequence(lambda n: square(west=32.0 + n * 0.02, south=46.6))


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name_uk = factory.Sequence(lambda n: f"Управління {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")
    email = factory.Sequence(lambda n: f"department{n}@example.com")


def verify_email(user: User) -> EmailAddress:
    """Give `user` a verified primary EmailAddress, as allauth does on confirmation."""
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address


def totp_code(secret: str = TOTP_SECRET, *, margin: float = 2.0) -> str:
    """The current TOTP code, never one about to expire (allauth allows no drift).

    `margin`: seconds the caller needs before the code is checked (a browser
    typing and submitting it needs more than the test client).
    """
    import time

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < margin:
        time.sleep(period - time.time() % period + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def enable_mfa(user: User, secret: str = TOTP_SECRET) -> TOTP:
    """Turn on TOTP two-factor authentication for `user`."""
    return TOTP.activate(user, secret)


def give_role(user: User, role: str) -> User:
    """Put `user` into the group of a staff role (a key of citizens.roles.ROLES)."""
    user.groups.add(Group.objects.get(name=ROLES[role]))
    return user


# --- appeals ---------------------------------------------------------------


class CategoryGroupFactory(DjangoModelFactory):
    class Meta:
        model = "appeals.CategoryGroup"

    name_uk = factory.Sequence(lambda n: f"Група {n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = "appeals.Category"

    group = factory.SubFactory(CategoryGroupFactory)
    name_uk = factory.Sequence(lambda n: f"Категорія {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    department = factory.SubFactory(DepartmentFactory)
    kinds = factory.LazyFunction(lambda: ["problem", "proposal", "application", "complaint"])


def category_question(category, *, code: str, choices=(), **fields):
    """A category's extra question with its choices: (uk, en) pairs, keyed as the admin
    keys them (the Ukrainian label slugified), or (key, uk, en) triples."""
    from appeals.models import CategoryQuestion, QuestionChoice
    from mycity.lib.slugs import slugify_title

    fields.setdefault("label_uk", f"Питання {code}")
    fields.setdefault("label_en", f"Question {code}")
    question = CategoryQuestion.objects.create(category=category, code=code, **fields)
    for order, choice in enumerate(choices):
        key, uk, en = choice if len(choice) == 3 else (slugify_title(choice[0]), *choice)
        QuestionChoice.objects.create(
            question=question, key=key, label_uk=uk, label_en=en, ordering=order
        )
    return question


def submit_appeal(author: User, category=None, **fields):
    """File an appeal through the service, as a resident would (status: moderation)."""
    import uuid

    from appeals.services import appeal_submit

    category = category or CategoryFactory()
    district = fields.pop("district", None) or DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    values = {
        "kind": "problem",
        "title": "Яма на дорозі",
        "description": "Велика яма біля зупинки.",
        "is_public": True,
        "latitude": south + 0.005,
        "longitude": west + 0.005,
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    appeal, _created = appeal_submit(author=author, category=category, **values)
    return appeal


class IncidentFactory(DjangoModelFactory):
    """An active power outage over one district, started an hour ago."""

    class Meta:
        model = "mycity.Incident"
        skip_postgeneration_save = True

    kind = "power"
    title_uk = "Немає світла"
    title_en = "No power"
    description_uk = "Аварійне відключення."
    description_en = "Emergency outage."
    started_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))
    expected_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=6))
    status = "active"

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)


class SavedPlaceFactory(DjangoModelFactory):
    """A saved place in the middle of `district`."""

    class Meta:
        model = "citizens.SavedPlace"

    user = factory.SubFactory(UserFactory)
    label = factory.Sequence(lambda n: f"Дім {n}")
    district = factory.SubFactory(DistrictFactory)
    latitude = factory.LazyAttribute(lambda o: o.district.boundary["coordinates"][0][0][1] + 0.005)
    longitude = factory.LazyAttribute(lambda o: o.district.boundary["coordinates"][0][0][0] + 0.005)
