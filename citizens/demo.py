"""Demo people: one staff account per role and a few residents.

Staff accounts come with two-factor authentication already on, using a
published demo secret, so the admin can be tried at once. Never run this on
a real installation: the passwords and the secret are public.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone

from mycity.models import Department, District

from .models import PriorityCategory, PriorityStatus, User
from .roles import ROLES, roles_sync
from .services import (
    department_add_member,
    department_set_staff,
    priority_decide,
    priority_declare,
    user_set_access,
)

DEMO_PASSWORD = "kherson-demo-2026"
# Base32; add it to any authenticator app to get the demo staff codes.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

STAFF = [
    ("moderator", "moderator@demo.mycity.test", "Олена Модераторка"),
    ("department_staff", "staff@demo.mycity.test", "Петро Виконавець"),
    ("department_head", "head@demo.mycity.test", "Ірина Керівниця"),
    ("editor", "editor@demo.mycity.test", "Марія Редакторка"),
    ("survey_manager", "surveys@demo.mycity.test", "Андрій Опитувальник"),
    ("service_officer", "services@demo.mycity.test", "Наталія Адміністраторка"),
    ("city_admin", "admin@demo.mycity.test", "Сергій Адміністратор"),
]

# One clerk in each department the demo categories route appeals to, so that
# the journey moderator → department → answer works without re-routing
# (housing has staff@ and head@ above).
DEPARTMENT_CLERKS = [
    ("roads", "roads.staff@demo.mycity.test", "Василь Дорошенко"),
    ("improvement", "improvement.staff@demo.mycity.test", "Людмила Савчук"),
    ("civil-protection", "civil.staff@demo.mycity.test", "Олександр Гончаренко"),
    ("social", "social.staff@demo.mycity.test", "Оксана Мельничук"),
]

RESIDENTS = [
    ("resident@demo.mycity.test", "Оксана Коваленко", "korabelnyi", True, "uk"),
    ("resident2@demo.mycity.test", "Taras Melnyk", "tsentralnyi", False, "en"),
    ("resident3@demo.mycity.test", "Галина Шевчук", "dniprovskyi", False, "uk"),
]
# Art. 5: the place of residence an appeal carries (settlement and street, no flat).
RESIDENCES = {
    "resident@demo.mycity.test": "Херсон, вул. Перекопська",
    "resident2@demo.mycity.test": "Kherson, Ushakova Ave",
    "resident3@demo.mycity.test": "Херсон, вул. Миколаївське шосе",
}
# Art. 20: a resident with a verified priority status (a participant of hostilities).
PRIORITY_RESIDENT = "resident2@demo.mycity.test"


def _account(email, full_name, **fields):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, **fields}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _staff(role, email, full_name):
    """A staff account in `role`, with the demo's two-factor secret."""
    user = _account(email, full_name)
    role_group = Group.objects.get(name=ROLES[role])
    user_set_access(user=user, by=None, is_staff=True, groups={*user.groups.all(), role_group})
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def seed(stdout):
    roles_sync()
    housing = Department.objects.get(slug="housing")
    for role, email, full_name in STAFF:
        user = _staff(role, email, full_name)
        if role in ("department_staff", "department_head"):
            department_add_member(department=housing, person=user, by=None)
        if role == "department_head":
            department_set_staff(department=housing, by=None, head=user)
    for slug, email, full_name in DEPARTMENT_CLERKS:
        department = Department.objects.filter(slug=slug).first()
        if department is not None:
            clerk = _staff("department_staff", email, full_name)
            department_add_member(department=department, person=clerk, by=None)

    verifier = User.objects.get(email="services@demo.mycity.test")
    for email, full_name, district_slug, verified, language in RESIDENTS:
        _account(
            email,
            full_name,
            district=District.objects.get(slug=district_slug),
            preferred_language=language,
            is_verified_resident=verified,
            verified_at=timezone.now() if verified else None,
            verified_by=verifier if verified else None,
            residence=RESIDENCES[email],
            onboarded_at=timezone.now(),
        )
    veteran = User.objects.get(email=PRIORITY_RESIDENT)
    if not PriorityStatus.objects.filter(user=veteran, decision="verified").exists():
        priority_decide(
            status=priority_declare(
                user=veteran, category=PriorityCategory.COMBATANT, document="УБД серія АА 000000"
            ),
            by=User.objects.get(email="moderator@demo.mycity.test"),
            verified=True,
        )

    stdout.write(f"  demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, _name in STAFF:
        stdout.write(f"    {email:36} {ROLES[role]}")
    for slug, email, _name in DEPARTMENT_CLERKS:
        stdout.write(f"    {email:36} {ROLES['department_staff']} ({slug})")
    for email, *_rest in RESIDENTS:
        stdout.write(f"    {email:36} resident")
    stdout.write(f"  staff two-factor (TOTP) secret for the demo: {DEMO_TOTP_SECRET}")
