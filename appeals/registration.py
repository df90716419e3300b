"""Oral and paper appeals (Art. 5 of the Law "On Citizens' Appeals").

Staff at the hotline or a service centre register an appeal on behalf of a
resident. The channel it came by, and the contact for the answer when the
resident has no account, live here; the service is
appeals.services.registration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "", _("filed online by the author")
    HOTLINE = "hotline", _("hotline call")
    LETTER = "letter", _("paper letter")
    IN_PERSON = "in_person", _("in person at a service centre")


# Who registered it, as the public and the author see it: the service, never a name.
REGISTERED_VIA = {
    Channel.HOTLINE: _("the hotline"),
    Channel.LETTER: _("a service centre (paper letter)"),
    Channel.IN_PERSON: _("a service centre"),
}


class AppealContact(models.Model):
    """Where to send the answer of an appeal staff registered (private).

    Shown only to the staff handling the appeal; never on a public page, in
    the API or in Open311.
    """

    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="contact"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=250, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact for the answer")
        verbose_name_plural = _("contacts for the answer")

    def __str__(self):
        return f"{self.appeal_id}"

    @property
    def is_empty(self) -> bool:
        return not (self.phone or self.postal_address or self.email)
