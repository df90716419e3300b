import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_ukrainian_phone(value):
    """Accept only valid Ukrainian numbers (+380 …)."""
    if not value:
        return
    number = value if isinstance(value, phonenumbers.PhoneNumber) else None
    if number is None:
        try:
            number = phonenumbers.parse(str(value), "UA")
        except phonenumbers.NumberParseException:
            raise ValidationError(
                _("Enter a Ukrainian phone number, for example +380 50 123 45 67.")
            ) from None
    if number.country_code != 380 or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a Ukrainian phone number, for example +380 50 123 45 67."))
