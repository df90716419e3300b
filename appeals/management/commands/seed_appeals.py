"""Bulk-create public appeals for load tests (the list, search and the map at scale).

Needs seed_demo's districts, categories and demo resident. Rows are written
with bulk_create, not through appeal_submit: filing 20,000 appeals one by one
(reference lock, events, notifications) would take minutes and measure
nothing we want. What the public pages read is filled in as the service
fills it: reference numbers from the year's counter, legal deadlines and
search lemmas.
"""

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.prepared import prep

from appeals.models import Appeal, Category, ReferenceCounter, legal_deadline
from appeals.search import normalize
from appeals.workflow import PUBLIC_STATUSES
from mycity.models import District

PROBLEMS = [
    ("Не працюють ліхтарі", "Уже тиждень не працюють ліхтарі, ввечері дуже темно."),
    ("Яма на дорозі", "Глибокі ями на проїжджій частині, машини об'їжджають по тротуару."),
    ("Сміття не вивозять", "Контейнери переповнені, сміття лежить навколо."),
    ("Немає води", "Третій день немає води в будинку."),
    ("Пошкоджена лавка", "У сквері зламана лавка, стирчать цвяхи."),
    ("Не працює світлофор", "Світлофор на перехресті блимає жовтим."),
    ("Зламана зупинка", "На зупинці вибите скло, дах протікає."),
    ("Холодні батареї", "У квартирах холодно, батареї ледь теплі."),
]
STREETS = [
    "проспект Ушакова",
    "вулиця Перекопська",
    "вулиця Суворова",
    "проспект Незалежності",
    "вулиця Лавреньова",
    "Миколаївське шосе",
    "вулиця Університетська",
    "вулиця Бериславське шосе",
]


class Command(BaseCommand):
    help = "Bulk-create N public appeals with random points inside the demo districts."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, count, seed, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        rng = random.Random(seed)
        districts = list(District.objects.all())
        categories = list(Category.objects.filter(sensitive=False, is_active=True))
        author = get_user_model().objects.filter(email="resident@demo.mycity.test").first()
        if not districts or not categories or author is None:
            raise CommandError("Run seed_demo first: districts, categories and the demo resident.")
        areas = [(d, prep(shape(d.boundary)), shape(d.boundary).bounds) for d in districts]
        now = timezone.now()

        with transaction.atomic():
            year = timezone.localdate(now).year
            ReferenceCounter.objects.get_or_create(year=year)
            counter = ReferenceCounter.objects.select_for_update().get(year=year)
            first = counter.value + 1
            counter.value += count
            counter.save(update_fields=["value"])
            batch = []
            for number in range(first, first + count):
                district, area, (west, south, east, north) = rng.choice(areas)
                while True:
                    lat, lon = rng.uniform(south, north), rng.uniform(west, east)
                    if area.covers(Point(lon, lat)):
                        break
                category = rng.choice(categories)
                kind = rng.choice(category.kinds or ["problem"])
                title, text = rng.choice(PROBLEMS)
                address = f"{rng.choice(STREETS)}, {rng.randint(1, 180)}"
                registered = now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                batch.append(
                    Appeal(
                        reference=f"{settings.CITY_CODE}-{year}-{number:06d}",
                        kind=kind,
                        category=category,
                        department_id=category.department_id,
                        author=author,
                        title=title,
                        description=text,
                        is_public=True,
                        status=rng.choice(sorted(PUBLIC_STATUSES)),
                        district=district,
                        latitude=lat,
                        longitude=lon,
                        address=address,
                        registered_at=registered,
                        deadline=legal_deadline(registered, category.answer_days),
                        search_text=normalize(title, text, address),
                    )
                )
                if len(batch) == 2000:
                    Appeal.objects.bulk_create(batch)
                    batch = []
            Appeal.objects.bulk_create(batch)
        self.stdout.write(self.style.SUCCESS(f"Created {count} public appeals."))
