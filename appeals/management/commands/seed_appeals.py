"""Bulk-create appeals for load tests: the public pages and the staff admin at scale.

Needs seed_demo's districts, categories, demo residents and staff. Rows are
written with bulk_create, not through appeal_submit: filing 20,000 appeals
one by one (reference lock, events, notifications) would take minutes and
measure nothing we want. What the pages read is filled in as the services
fill it: reference numbers from the year's counter, legal deadlines and
search lemmas (computed once per distinct text, not once per row).

`--mix public` (the default) files public appeals in random public statuses,
for the public list, search and map. `--mix workflow` spreads statuses as a
year of real work leaves them, for the staff admin: most appeals answered or
closed (with answer and close times), the last day or two awaiting
moderation, a few rejected, forwarded or merged, some still open past their
deadline, and part of the demo department's work assigned to its staff;
about one in twelve terms is extended (to 45 days at most), one in thirty
answers is reopened by its author, and a third of the closed appeals carry
the author's rating, as the transparency statistics (/stats/) count them.
`--author` files every appeal in one resident's name and `--private` makes
that percentage of them private (seed_demo's year of history does both).
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

from appeals.models import Appeal, AppealRating, Category, ReferenceCounter, legal_deadline
from appeals.workflow import PUBLIC_STATUSES, Status
from mycity.lib.references import reference
from mycity.lib.text import normalize
from mycity.models import Department, District

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
BATCH = 5_000
POINTS_PER_DISTRICT = 2_000
DAY = 24 * 60  # minutes
# --mix workflow: what became of an appeal older than its answer term ...
SETTLED = [
    (Status.CLOSED, 58),
    (Status.ANSWERED, 27),
    (Status.REJECTED, 5),
    (Status.FORWARDED, 3),
    (Status.MERGED, 2),
    (Status.IN_PROGRESS, 3),  # overdue
    (Status.ACCEPTED, 1),  # overdue
    (Status.RETURNED, 1),
]
# ... and of one still within it (registered more than MODERATION_DAYS ago).
RECENT = [
    (Status.ACCEPTED, 15),
    (Status.IN_PROGRESS, 30),
    (Status.ANSWERED, 30),
    (Status.CLOSED, 15),
    (Status.RETURNED, 3),
    (Status.REJECTED, 4),
    (Status.FORWARDED, 3),
]
MODERATION_DAYS = 1.5
# --mix workflow: how often a term is extended, an answer reopened, a closed appeal rated.
EXTENDED, REOPENED, RATED = 0.08, 0.03, 0.33
EXTENDED_DAYS = 45
SCORES = [(5, 40), (4, 25), (3, 15), (2, 8), (1, 12)]


def _picker(table):
    statuses = [status for status, _weight in table]
    weights = [weight for _status, weight in table]
    return lambda rng: rng.choices(statuses, weights)[0]


def _staff_of() -> dict[int, list[int]]:
    """Each department's members and head: whom its appeals may be assigned to."""
    staff_of = {}
    for department in Department.objects.prefetch_related("members"):
        people = [m.pk for m in department.members.all()]
        if department.head_id:
            people.append(department.head_id)
        if people:
            staff_of[department.pk] = sorted(set(people))
    return staff_of


def _point_pools(districts, rng, count) -> list:
    """A pool of points per district: testing each random point against the
    polygon is the slow part of making a row, and repeats are harmless."""
    pools = []
    for district in districts:
        area = prep(shape(district.boundary))
        west, south, east, north = shape(district.boundary).bounds
        points = []
        while len(points) < min(POINTS_PER_DISTRICT, count):
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            if area.covers(Point(lon, lat)):
                points.append((lat, lon))
        pools.append((district, points))
    return pools


class Command(BaseCommand):
    help = "Bulk-create N appeals with random points inside the demo districts."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--mix",
            choices=["public", "workflow"],
            default="public",
            help="public: random public statuses; workflow: as a year of staff work leaves them",
        )
        parser.add_argument("--author", help="file every appeal in this resident's name (e-mail)")
        parser.add_argument(
            "--private", type=int, default=0, help="the percentage of appeals made private"
        )

    def handle(self, *args, count, seed, mix, author=None, private=0, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if not 0 <= private <= 100:
            raise CommandError("--private is a percentage, 0 to 100.")
        rng = random.Random(seed)
        districts = list(District.objects.all())
        categories = list(Category.objects.filter(sensitive=False, is_active=True))
        users = get_user_model().objects
        authors = list(
            users.filter(email__startswith="resident", email__endswith="@demo.mycity.test")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not districts or not categories or not authors:
            raise CommandError("Run seed_demo first: districts, categories and the demo resident.")
        if author:
            authors = list(users.filter(email=author).values_list("pk", flat=True))
            if not authors:
                raise CommandError(f"No account {author}.")
        elif mix == "public":
            authors = authors[:1]  # the demo resident, as before
        staff_of = _staff_of()
        pools = _point_pools(districts, rng, count)
        lemmas = {}
        public = sorted(PUBLIC_STATUSES)
        settled, recent = _picker(SETTLED), _picker(RECENT)
        now = timezone.now()

        scores = _picker(SCORES)

        def save(batch):
            created = Appeal.objects.bulk_create(batch)
            AppealRating.objects.bulk_create(
                AppealRating(appeal=appeal, score=scores(rng), created_at=appeal.closed_at)
                for appeal in created
                if appeal.closed_at and appeal.pk and rng.random() < RATED
            )

        with transaction.atomic():
            year, first = ReferenceCounter.take(count, now=now)
            batch = []
            for number in range(first, first + count):
                district, points = rng.choice(pools)
                lat, lon = rng.choice(points)
                category = rng.choice(categories)
                kind = rng.choice(category.kinds or ["problem"])
                problem = rng.randrange(len(PROBLEMS))
                title, text = PROBLEMS[problem]
                street, house = rng.randrange(len(STREETS)), rng.randint(1, 180)
                address = f"{STREETS[street]}, {house}"
                key = (problem, street, house)
                if key not in lemmas:
                    lemmas[key] = normalize(title, text, address)
                age = rng.randint(0, 365 * DAY)
                registered = now - dt.timedelta(minutes=age)
                term = category.answer_days
                appeal = Appeal(
                    reference=reference(settings.CITY_CODE, year, number),
                    kind=kind,
                    category=category,
                    department_id=category.department_id,
                    author_id=rng.choice(authors),
                    # Named, with a residence: an anonymous appeal is not considered (Art. 8).
                    author_full_name="Мешканець Херсона",
                    author_residence=f"Херсон, {STREETS[rng.randrange(len(STREETS))]}",
                    title=title,
                    description=text,
                    is_public=rng.random() * 100 >= private,
                    district=district,
                    latitude=lat,
                    longitude=lon,
                    address=address,
                    registered_at=registered,
                    term_days=term,
                    deadline=legal_deadline(registered, term),
                    search_text=lemmas[key],
                )
                if mix == "public":
                    appeal.status = rng.choice(public)
                else:
                    self._workflow(appeal, rng, age, term, now, settled, recent, staff_of)
                batch.append(appeal)
                if len(batch) == BATCH:
                    save(batch)
                    batch = []
            save(batch)
        self.stdout.write(self.style.SUCCESS(f"Created {count} appeals ({mix})."))

    @staticmethod
    def _workflow(appeal, rng, age, term, now, settled, recent, staff_of):
        if age < MODERATION_DAYS * DAY:
            appeal.status = Status.MODERATION
            return
        appeal.status = settled(rng) if age > (term + 1) * DAY else recent(rng)
        if appeal.status not in (Status.REJECTED, Status.RETURNED) and rng.random() < EXTENDED:
            # Extended by the head (Art. 20): the study takes longer, the answer comes later.
            appeal.deadline_extended = True
            appeal.extension_reason = "Потрібне додаткове обстеження на місці."
            appeal.deadline = legal_deadline(appeal.registered_at, EXTENDED_DAYS)
            term = EXTENDED_DAYS
        if appeal.status in (Status.ANSWERED, Status.CLOSED):
            # Most answers come in time; some late.
            took = rng.uniform(0.5, term * 1.2) * DAY
            appeal.answered_at = min(now, appeal.registered_at + dt.timedelta(minutes=took))
            if appeal.status == Status.CLOSED:
                appeal.closed_at = min(
                    now, appeal.answered_at + dt.timedelta(minutes=rng.randint(60, 10 * DAY))
                )
            elif rng.random() < REOPENED * 3:
                # The author was not satisfied and reopened it; answered again since.
                appeal.reopened = True
        elif appeal.status == Status.MERGED:
            appeal.is_public = False
        people = staff_of.get(appeal.department_id)
        if people and appeal.status != Status.REJECTED and rng.random() < 0.6:
            appeal.assignee_id = rng.choice(people)
