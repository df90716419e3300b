"""Points of help for the tests: in two districts around the map's centre."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mycity.models import District
from outages.models import HelpPoint, Kind, PointStatus


class HelpPointFactory(DjangoModelFactory):
    class Meta:
        model = HelpPoint
        skip_postgeneration_save = True

    kind = Kind.INVINCIBILITY
    name_uk = factory.Sequence(lambda n: f"Пункт незламності {n}")
    name_en = factory.Sequence(lambda n: f"Invincibility point {n}")
    address_uk = factory.Sequence(lambda n: f"вул. Соборна, {n + 1}")
    address_en = factory.Sequence(lambda n: f"{n + 1} Soborna St")
    hours_uk = "щодня 8:00–20:00"
    hours_en = "daily 8:00–20:00"
    latitude = 46.64
    longitude = 32.61
    district = factory.LazyAttribute(
        lambda o: District.objects.locate(lat=o.latitude, lon=o.longitude)
    )
    offers_power = True
    offers_charging = True
    offers_water = True
    status = PointStatus.OPEN
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def operators(self, create, extracted, **kwargs):
        if create and extracted:
            self.operators.set(extracted)
