"""Demo incidents: a live power outage, a live water outage over a drawn area,
one restored yesterday with its official answer. Idempotent (by English title)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from mycity.models import Department, District, Incident

from .services.incidents import incident_declare, incident_resolve, incident_update_add

INCIDENTS = [
    # key, kind, districts, area, started (hours ago), lasts (hours), department, uk, en, update
    (
        "power-dnipro", "power", ["dniprovskyi"], None, 3, 9, "housing",
        ("Аварійне відключення світла в Дніпровському районі",
         "Пошкоджено кабельну лінію після обстрілу. Аварійні бригади працюють."),
        ("Emergency power outage in Dniprovskyi district",
         "A cable line was damaged by shelling. Repair crews are at work."),
        ("Бригада на місці, заміна кабелю триває.", "The crew is on site, replacing the cable."),
    ),
    (
        "water-centre", "water", [],
        {"type": "Polygon", "coordinates": [[[32.600, 46.640], [32.630, 46.640],
                                             [32.630, 46.660], [32.600, 46.660],
                                             [32.600, 46.640]]]},
        1, 6, "housing",
        ("Немає води в центрі міста", "Ремонт водогону на вулиці Перекопській."),
        ("No water in the city centre", "The water main on Perekopska street is being repaired."),
        None,
    ),
    (
        "heat-korabel", "heat", ["korabelnyi"], None, 30, 12, "housing",
        ("Немає опалення на Корабельному", "Аварія на котельні."),
        ("No heating in Korabelnyi", "A fault at the boiler house."),
        None,
    ),
]  # fmt: skip

ANSWER = (
    "Котельню відремонтовано, опалення відновлено о 19:00. Дякуємо за повідомлення.",
    "The boiler house was repaired and heating restored at 19:00. Thank you for reporting.",
)


def seed(stdout):
    clerk = get_user_model().objects.filter(email="staff@demo.mycity.test").first()
    districts = {d.slug: d for d in District.objects.all()}
    departments = {d.slug: d for d in Department.objects.all()}
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    made = 0
    for key, kind, slugs, area, ago, lasts, department, uk, en, update in INCIDENTS:
        if Incident.objects.filter(title_en=en[0]).exists():
            continue
        started = hour - dt.timedelta(hours=ago)
        incident = incident_declare(
            by=clerk, kind=kind, title_uk=uk[0], description_uk=uk[1], title_en=en[0],
            description_en=en[1], area=area, started_at=started,
            expected_at=started + dt.timedelta(hours=lasts),
            department=departments.get(department),
            districts=[districts[s] for s in slugs if s in districts],
        )  # fmt: skip
        if update:
            incident_update_add(incident=incident, text_uk=update[0], text_en=update[1], by=clerk)
        if key == "heat-korabel":
            incident_resolve(incident=incident, by=clerk, answer_uk=ANSWER[0], answer_en=ANSWER[1])
        made += 1
    stdout.write(f"  outages: {made} incidents added")
