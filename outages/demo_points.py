"""Demo points of help in Kherson with live statuses, and a demo point operator. Idempotent.

The operator signs in as the other demo staff do (citizens/demo.py): the
same password and two-factor secret, published for the demo only.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from citizens.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from citizens.roles import ROLES, roles_sync
from citizens.services import user_set_access

from .models import HelpPoint, Kind, PointStatus, PointStatusChange

OPERATOR_EMAIL = "operator@demo.mycity.test"
OPERATOR_NAME = "Віктор Оператор"

# (kind, uk name, en name, uk address, en address, lat, lon, uk hours, en hours,
#  around the clock, offers, status, generator, minutes since confirmed,
#  operated by the demo operator)
POINTS = [
    (
        Kind.INVINCIBILITY,
        "Пункт незламності «Центральний»",
        "Invincibility point “Tsentralnyi”",
        "вул. Соборна, 2",
        "2 Soborna St",
        46.6389,
        32.6135,
        "щодня 8:00–20:00",
        "daily 8:00–20:00",
        False,
        {"power", "charging", "internet", "water", "heat", "first_aid"},
        PointStatus.OPEN,
        True,
        12,
        True,
    ),
    (
        Kind.INVINCIBILITY,
        "Пункт незламності у школі № 27",
        "Invincibility point at School 27",
        "просп. Ушакова, 47",
        "47 Ushakova Ave",
        46.6432,
        32.6167,
        "",
        "",
        True,
        {"power", "charging", "internet", "heat", "accessible"},
        PointStatus.FULL,
        True,
        35,
        True,
    ),
    (
        Kind.SHELTER,
        "Укриття в Палаці культури",
        "Shelter at the Palace of Culture",
        "вул. Перекопська, 17",
        "17 Perekopska St",
        46.6401,
        32.6088,
        "",
        "",
        True,
        {"first_aid", "accessible", "water"},
        PointStatus.OPEN,
        False,
        5,
        True,
    ),
    (
        Kind.HEATING,
        "Пункт обігріву на Шуменському",
        "Heating point in Shumenskyi",
        "вул. Паровозна, 46",
        "46 Parovozna St",
        46.6502,
        32.6418,
        "щодня 9:00–21:00",
        "daily 9:00–21:00",
        False,
        {"heat", "charging", "water"},
        PointStatus.OPEN,
        False,
        48,
        False,
    ),
    (
        Kind.HEATING,
        "Пункт обігріву на Острові",
        "Heating point on Ostriv",
        "вул. Нафтовиків, 1",
        "1 Naftovykiv St",
        46.6258,
        32.6452,
        "пн–пт 10:00–18:00",
        "Mon–Fri 10:00–18:00",
        False,
        {"heat", "power", "charging"},
        PointStatus.CLOSED,
        False,
        180,
        False,
    ),
    (
        Kind.WATER_TRUCK,
        "Підвіз води: зупинка «Ринок Дніпровський»",
        "Water truck stop: Dniprovskyi market",
        "Дніпровський ринок, вхід з вул. Залаегерсег",
        "Dniprovskyi market, Zalaegerszeg St entrance",
        46.6521,
        32.6671,
        "пн, ср, пт 10:00–12:00",
        "Mon, Wed, Fri 10:00–12:00",
        False,
        {"water"},
        PointStatus.OPEN,
        False,
        20,
        True,
    ),
    (
        Kind.WATER_TRUCK,
        "Підвіз води: Корабельна площа",
        "Water truck stop: Korabelna Square",
        "Корабельна площа",
        "Korabelna Square",
        46.6352,
        32.5431,
        "вт, чт 9:00–11:00",
        "Tue, Thu 9:00–11:00",
        False,
        {"water"},
        PointStatus.CLOSED,
        False,
        300,
        False,
    ),
    (
        Kind.DRINKING_WATER,
        "Бювет на Миколаївському шосе",
        "Drinking water pump on Mykolaivske Hwy",
        "Миколаївське шосе, 23",
        "23 Mykolaivske Hwy",
        46.6620,
        32.5695,
        "щодня 7:00–19:00",
        "daily 7:00–19:00",
        False,
        {"water", "accessible"},
        PointStatus.OPEN,
        False,
        90,
        False,
    ),
    (
        Kind.DRINKING_WATER,
        "Бювет у парку Слави",
        "Drinking water pump in Glory Park",
        "парк Слави, біля входу з вул. Лютеранської",
        "Glory Park, Liuteranska St entrance",
        46.6330,
        32.6050,
        "щодня 8:00–18:00",
        "daily 8:00–18:00",
        False,
        {"water"},
        PointStatus.OPEN,
        False,
        60,
        False,
    ),
    (
        Kind.SHELTER,
        "Укриття в ТРЦ «Фабрика»",
        "Shelter at Fabrika mall",
        "вул. Залаегерсег, 18",
        "18 Zalaegerszeg St",
        46.6555,
        32.6598,
        "",
        "",
        True,
        {"power", "charging", "internet", "first_aid", "accessible"},
        PointStatus.OPEN,
        True,
        8,
        True,
    ),
]


def _operator():
    """The demo point operator: staff with two-factor on, as the other demo staff."""
    users = get_user_model()
    user, created = users.objects.get_or_create(
        email=OPERATOR_EMAIL, defaults={"full_name": OPERATOR_NAME}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=OPERATOR_EMAIL, defaults={"verified": True, "primary": True}
    )
    group = Group.objects.get(name=ROLES["point_operator"])
    user_set_access(user=user, by=None, is_staff=True, groups={*user.groups.all(), group})
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def seed(stdout):
    roles_sync()
    operator = _operator()
    from mycity.models import District

    now = timezone.now()
    made = 0
    for row in POINTS:
        (kind, name_uk, name_en, address_uk, address_en, lat, lon, hours_uk, hours_en,
         clock, offers, status, generator, minutes, operated) = row  # fmt: skip
        if HelpPoint.objects.filter(name_en=name_en).exists():
            continue
        district = District.objects.locate(lat=lat, lon=lon)
        if district is None:
            continue
        confirmed = now - dt.timedelta(minutes=minutes)
        point = HelpPoint.objects.create(
            kind=kind, name_uk=name_uk, name_en=name_en, address_uk=address_uk,
            address_en=address_en, latitude=lat, longitude=lon, district=district,
            hours_uk=hours_uk, hours_en=hours_en, around_the_clock=clock,
            status=status, generator_on=generator, confirmed_at=confirmed,
            confirmed_by=operator if operated else None,
            **{f"offers_{key}": True for key in offers},
        )  # fmt: skip
        if operated:
            point.operators.add(operator)
        # The demo's history: the point as first set up.
        PointStatusChange.objects.create(
            point=point, action="open" if status != PointStatus.CLOSED else "close",
            from_status="", to_status=status, generator_before=False, generator_after=generator,
            actor=operator if operated else None, created_at=confirmed,
        )  # fmt: skip
        made += 1
    stdout.write(f"  points of help: {made} added")
    stdout.write(f"    {OPERATOR_EMAIL:36} {ROLES['point_operator']} (password {DEMO_PASSWORD})")
