"""Demo data for Kherson: districts (approximate, demo-only boundaries) and departments."""

from .models import Department, District


def _box(west, south, east, north):
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


# Approximate demo boundaries, NOT official ones: simple polygons around the
# real districts so that a point on the map picks a plausible district.
DISTRICTS = [
    (
        "dniprovskyi",
        "Дніпровський (демо)",
        "Dniprovskyi (demo)",
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [32.640, 46.610],
                    [32.760, 46.610],
                    [32.760, 46.700],
                    [32.655, 46.700],
                    [32.640, 46.660],
                    [32.640, 46.610],
                ]
            ],
        },
    ),
    (
        "tsentralnyi",
        "Центральний (демо)",
        "Tsentralnyi (demo)",
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [32.580, 46.625],
                    [32.640, 46.610],
                    [32.640, 46.660],
                    [32.655, 46.700],
                    [32.580, 46.700],
                    [32.580, 46.625],
                ]
            ],
        },
    ),
    ("korabelnyi", "Корабельний (демо)", "Korabelnyi (demo)", _box(32.480, 46.600, 32.580, 46.700)),
]

DEPARTMENTS = [
    (
        "housing",
        "Департамент житлово-комунального господарства",
        "Housing and Utilities Department",
        "housing@demo.mycity.test",
    ),
    (
        "roads",
        "Управління доріг і транспорту",
        "Roads and Transport Department",
        "roads@demo.mycity.test",
    ),
    (
        "improvement",
        "Управління благоустрою",
        "City Improvement Department",
        "improvement@demo.mycity.test",
    ),
    (
        "social",
        "Департамент соціальної політики",
        "Social Policy Department",
        "social@demo.mycity.test",
    ),
    (
        "civil-protection",
        "Управління з питань цивільного захисту",
        "Civil Protection Department",
        "civil@demo.mycity.test",
    ),
    (
        "cnap",
        "Центр надання адміністративних послуг (ЦНАП)",
        "Administrative Services Centre (TsNAP)",
        "cnap@demo.mycity.test",
    ),
]


def seed(stdout):
    for order, (slug, name_uk, name_en, boundary) in enumerate(DISTRICTS):
        District.objects.update_or_create(
            slug=slug,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "boundary": boundary,
                "ordering": order,
            },
        )
    for slug, name_uk, name_en, email in DEPARTMENTS:
        Department.objects.update_or_create(
            slug=slug, defaults={"name_uk": name_uk, "name_en": name_en, "email": email}
        )
    stdout.write(f"  {len(DISTRICTS)} districts, {len(DEPARTMENTS)} departments")
