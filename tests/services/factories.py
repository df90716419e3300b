"""Factories for the e-services tests, and helpers that act through the services."""

import datetime as dt
import io
import uuid

import factory
from factory.django import DjangoModelFactory
from fpdf import FPDF
from PIL import Image

from services.models import FormField, OpeningHours, Service, ServiceCategory, ServiceCentre
from tests.factories import DepartmentFactory


class ServiceCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCategory

    name_uk = factory.Sequence(lambda n: f"Категорія послуг {n}")
    name_en = factory.Sequence(lambda n: f"Service category {n}")
    slug = factory.Sequence(lambda n: f"service-category-{n}")


class ServiceCentreFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCentre
        skip_postgeneration_save = True

    name_uk = factory.Sequence(lambda n: f"ЦНАП {n}")
    name_en = factory.Sequence(lambda n: f"TsNAP {n}")
    slug = factory.Sequence(lambda n: f"cnap-{n}")
    address_uk = "просп. Ушакова, 1"
    address_en = "1 Ushakova Avenue"
    latitude = 46.6354
    longitude = 32.6169
    slot_minutes = 30
    slot_capacity = 2

    @factory.post_generation
    def weekly(self, create, extracted, **kwargs):
        """Open every day 09:00–17:00 unless `weekly=[(weekday, "09:00", "12:00"), ...]`."""
        if not create:
            return
        rows = extracted if extracted is not None else [(d, "09:00", "17:00") for d in range(7)]
        OpeningHours.objects.bulk_create(
            OpeningHours(
                centre=self,
                weekday=d,
                opens=dt.time.fromisoformat(o),
                closes=dt.time.fromisoformat(c),
            )
            for d, o, c in rows
        )


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name_uk = factory.Sequence(lambda n: f"Довідка {n}")
    name_en = factory.Sequence(lambda n: f"Certificate {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    category = factory.SubFactory(ServiceCategoryFactory)
    department = factory.SubFactory(DepartmentFactory)
    summary_uk = "Довідка для субсидії"
    summary_en = "A certificate for a subsidy"
    who_may_apply_uk = "Мешканці Херсона"
    who_may_apply_en = "Residents of Kherson"
    processing_days = 5
    online = True
    bookable = True

    @factory.post_generation
    def centres(self, create, extracted, **kwargs):
        if create and extracted:
            self.centres.set(extracted)


class FormFieldFactory(DjangoModelFactory):
    class Meta:
        model = FormField

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"field_{n}")
    label_uk = factory.Sequence(lambda n: f"Питання {n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")
    type = FormField.Type.TEXT
    required = True


def pdf_bytes(pages: int = 1, text: str = "Hello") -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{text} {n + 1}")
    return bytes(pdf.output())


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {1: "N", 2: (46.0, 38.0, 7.0)}  # GPS
        image.save(out, fmt, exif=data.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(applicant, service, *, documents=(), urgent=False, answers=None):
    from services.services import application_submit

    application, _created = application_submit(
        applicant=applicant,
        service=service,
        answers=answers
        or [{"code": "q", "type": "text", "label": {"uk": "Питання", "en": "Q"}, "value": "Так"}],
        documents=list(documents),
        urgent=urgent,
        idempotency_key=uuid.uuid4(),
    )
    return application
