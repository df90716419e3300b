"""Demo news and alerts for Kherson, in Ukrainian and English. Idempotent."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from mycity.models import District

from .models import Alert, AlertKind, NewsItem, Severity, Topic
from .services import alert_publish, alert_save, alert_update_add, newsitem_save

TOPICS = [
    ("city", "Місто", "City", 0),
    ("utilities", "Комунальні послуги", "Utilities", 1),
    ("safety", "Безпека", "Safety", 2),
    ("transport", "Транспорт", "Transport", 3),
    ("social", "Соціальна підтримка", "Social support", 4),
]

# (key, topic, districts, hours ago (negative = scheduled), pinned, uk(title, lead, body), en(...))
NEWS = [
    (
        "heating-season",
        "utilities",
        [],
        3,
        True,
        (
            "Опалювальний сезон: як працюватимуть котельні",
            "Котельні міста працюють у режимі економії, тепло подається за графіком.",
            "Через пошкодження мереж тепло подається **за графіком**:\n\n"
            "- з 6:00 до 9:00;\n- з 17:00 до 22:00.\n\n"
            "Якщо у вашому будинку немає тепла поза графіком, подайте "
            "[звернення](/requests/new/) або телефонуйте на гарячу лінію 15-80.",
        ),
        (
            "Heating season: how the boiler houses will work",
            "The city's boiler houses run in saving mode; heat is supplied on a schedule.",
            "Because of damaged networks heat is supplied **on a schedule**:\n\n"
            "- 6:00 to 9:00;\n- 17:00 to 22:00.\n\n"
            "If your building has no heat outside the schedule, file a "
            "[request](/requests/new/) or call the hotline 15-80.",
        ),
    ),
    (
        "bus-route-12",
        "transport",
        ["korabelnyi"],
        26,
        False,
        (
            "Автобус №12 змінює маршрут у Корабельному районі",
            "З понеділка маршрут №12 оминає пошкоджений міст.",
            "Перевізник повідомляє, що автобус №12 курсує через вулицю Поповича. "
            "Зупинки «Верфь» і «Лісова» тимчасово не обслуговуються.",
        ),
        (
            "Bus 12 changes its route in Korabelnyi district",
            "From Monday route 12 bypasses the damaged bridge.",
            "The operator says bus 12 runs along Popovycha Street. "
            "The Verf and Lisova stops are not served for now.",
        ),
    ),
    (
        "humanitarian-aid",
        "social",
        ["dniprovskyi"],
        50,
        False,
        (
            "Видача гуманітарної допомоги в Дніпровському районі",
            "Продуктові набори видають у четвер і п'ятницю в пункті на вулиці Бериславське шосе.",
            "Потрібні паспорт і довідка ВПО (за наявності). Маломобільним мешканцям "
            "допомогу доставляють додому: зателефонуйте 15-80.",
        ),
        (
            "Humanitarian aid in Dniprovskyi district",
            "Food parcels are handed out on Thursday and Friday "
            "at the point on Beryslavske Highway.",
            "Bring a passport and an IDP certificate if you have one. Residents with "
            "limited mobility get aid at home: call 15-80.",
        ),
    ),
    (
        "shelter-check",
        "safety",
        [],
        75,
        False,
        (
            "Перевірка укриттів: результати за жовтень",
            "Фахівці перевірили 214 укриттів; 19 потребують ремонту.",
            "Список укриттів, що працюють, — на сторінці [тривог](/alerts/). "
            "Якщо укриття зачинене під час тривоги, подайте звернення.",
        ),
        (
            "Shelter inspection: October results",
            "Inspectors checked 214 shelters; 19 need repairs.",
            "The list of working shelters is on the [alerts](/alerts/) page. "
            "If a shelter is locked during an air-raid alert, file a request.",
        ),
    ),
    (
        "park-cleanup",
        "city",
        ["tsentralnyi"],
        -48,
        False,
        (
            "Толока в парку Слави",
            "Запрошуємо мешканців на прибирання парку в суботу о 10:00.",
            "Інвентар і рукавиці дасть управління благоустрою.",
        ),
        (
            "Clean-up in Slavy Park",
            "Residents are invited to clean up the park on Saturday at 10:00.",
            "Tools and gloves are provided by the improvement department.",
        ),
    ),
]

# An alert's text names its own times ({start}, {end}: local HH:MM), filled from the
# alert's window (ALERT_HOURS: started hours ago, lasts hours), so a demo alert
# saying "until 20:00" ends at 20:00.
ALERT_HOURS = {"power-korabelnyi": (1, 8), "water-trucks": (1, 6)}

ALERTS = [
    (
        "power-korabelnyi",
        AlertKind.POWER,
        Severity.WARNING,
        ["korabelnyi"],
        False,
        None,
        (
            "Відключення світла в Корабельному районі",
            "Аварійні роботи на підстанції. Орієнтовно до {end}.",
        ),
        (
            "Power outage in Korabelnyi district",
            "Emergency repairs at the substation. Expected until {end}.",
        ),
        ("Бригади вже на місці.", "Crews are on site."),
    ),
    (
        "water-trucks",
        AlertKind.WATER_TRUCK,
        Severity.INFO,
        ["dniprovskyi", "tsentralnyi"],
        False,
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [32.6169, 46.6354]},
                    "properties": {"name": "вул. Соборна / Sobórna St"},
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [32.6700, 46.6500]},
                    "properties": {"name": "Бериславське шосе / Beryslavske Hwy"},
                },
            ],
        },
        ("Підвіз питної води", "Водовози стоять з {start} до {end}. Беріть свою тару."),
        (
            "Drinking water trucks",
            "Water trucks stand from {start} to {end}. Bring your own containers.",
        ),
        None,
    ),
]


def alert_window(now, started_hours_ago: int, lasts_hours: int):
    """(starts_at, ends_at) on whole hours of local time, the way an editor writes them."""
    hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    starts_at = hour - dt.timedelta(hours=started_hours_ago)
    return starts_at, starts_at + dt.timedelta(hours=lasts_hours)


def seed(stdout):
    editor = get_user_model().objects.filter(email="editor@demo.mycity.test").first()
    topics = {}
    for slug, uk, en, order in TOPICS:
        topics[slug], _created = Topic.objects.update_or_create(
            slug=slug, defaults={"name_uk": uk, "name_en": en, "ordering": order}
        )
    districts = {d.slug: d for d in District.objects.all()}
    now = timezone.now()
    made = 0
    for _key, topic, district_slugs, hours, pinned, uk, en in NEWS:
        if NewsItem.objects.filter(title_en=en[0]).exists():
            continue
        item = NewsItem(
            title_uk=uk[0], lead_uk=uk[1], body_uk=uk[2],
            title_en=en[0], lead_en=en[1], body_en=en[2],
            topic=topics[topic], pinned=pinned, status=NewsItem.Status.PUBLISHED,
            published_at=now - dt.timedelta(hours=hours),
        )  # fmt: skip
        newsitem_save(
            item=item,
            author=editor,
            districts=[districts[s] for s in district_slugs if s in districts],
        )
        made += 1
    for key, kind, severity, district_slugs, whole_city, geometry, uk, en, update in ALERTS:
        if Alert.objects.filter(title_en=en[0]).exists():
            continue
        starts_at, ends_at = alert_window(now, *ALERT_HOURS[key])
        times = {
            "start": timezone.localtime(starts_at).strftime("%H:%M"),
            "end": timezone.localtime(ends_at).strftime("%H:%M"),
        }
        alert = Alert(
            kind=kind, severity=severity, whole_city=whole_city, geometry=geometry,
            title_uk=uk[0], text_uk=uk[1].format(**times),
            title_en=en[0], text_en=en[1].format(**times),
            starts_at=starts_at, ends_at=ends_at,
        )  # fmt: skip
        alert_save(
            alert=alert,
            author=editor,
            districts=[districts[s] for s in district_slugs if s in districts],
        )
        alert_publish(alert=alert, by=editor)
        if update:
            alert_update_add(alert=alert, text_uk=update[0], text_en=update[1], by=editor)
        made += 1
    stdout.write(f"  news: {len(TOPICS)} topics, {made} news items and alerts added")
