"""A resident's news and alert subscriptions (linked from the cabinet)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import SubscriptionForm
from ..services import NewsError, subscription_get, subscription_set


@login_required
def subscriptions(request):
    sub = subscription_get(user=request.user)
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                subscription_set(user=request.user, **form.cleaned_data)
            except NewsError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Your subscriptions are saved."))
                return redirect("news:subscriptions")
    else:
        initial = {}
        if sub is not None:
            initial = {
                "digest": sub.digest,
                "digest_topics": list(sub.digest_topics.all()),
                "digest_districts": list(sub.digest_districts.all()),
                "alert_districts": list(sub.alert_districts.all()),
                "muted_kinds": sub.muted_kind_list,
            }
        form = SubscriptionForm(initial=initial)
    return render(
        request,
        "news/subscriptions.html",
        {"form": form, "home_district": request.user.district},
    )
