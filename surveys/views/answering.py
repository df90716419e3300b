"""Answering a survey, one screen of questions at a time, without JavaScript.

Each screen's answers are kept in the session as the person moves on, so a
dropped connection or a closed tab loses at most the screen in hand (with
JavaScript, `answer.js` saves that too as it is filled in). The last screen
hands everything to `survey_respond`, which checks it all again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mycity.lib.ratelimit import rate_limited

from .. import selectors
from ..answering import OTHER, answers_validate, field_name, is_visible, raw_from_post
from ..models import Kind
from ..services import SurveyError, survey_questions, survey_respond


def _draft_key(survey) -> str:
    return f"surveys:draft:{survey.pk}"


def draft_exists(request, survey) -> bool:
    return bool(request.session.get(_draft_key(survey))) if hasattr(request, "session") else False


def _screens(questions, raw) -> list[list]:
    """Screens (lists of questions) that have at least one question shown, given `raw`."""
    checked = answers_validate(questions=questions, raw=raw, only=set())
    pages: dict[int, list] = {}
    for question in questions:
        if is_visible(question, checked.clean, checked.visible):
            pages.setdefault(question.page, []).append(question)
    return [pages[number] for number in sorted(pages)]


def _autosave(request) -> bool:
    return bool(request.POST.get("autosave"))


@login_required
# Autosaves (a pause in typing) only keep the draft in the session: not counted.
@rate_limited("survey_answer", unless=_autosave)
def survey_answer(request, slug):
    survey = selectors.get_survey_for_user(request.user, slug)
    refusal = selectors.answer_refusal(survey, request.user)
    if refusal and _wants_json(request):
        return JsonResponse({"message": str(refusal), "url": survey.get_absolute_url()}, status=400)
    if refusal:
        messages.error(request, refusal)
        return redirect(survey.get_absolute_url())
    questions = survey_questions(survey)
    key = _draft_key(survey)
    raw = dict(request.session.get(key) or {})
    screens = _screens(questions, raw)
    if not screens:
        messages.error(request, _("This survey has no questions yet."))
        return redirect(survey.get_absolute_url())
    try:
        step = min(max(int(request.GET.get("step", 1)), 1), len(screens))
    except ValueError:
        step = 1
    screen = screens[step - 1]
    errors: dict[int, list[str]] = {}

    if request.method == "POST":
        raw.update(raw_from_post(screen, request.POST))
        request.session[key] = raw
        if request.POST.get("autosave"):
            return HttpResponse(status=204)
        if "back" in request.POST:
            return redirect(f"{reverse('surveys:answer', args=[slug])}?step={max(step - 1, 1)}")
        checked = answers_validate(
            questions=questions, raw=raw, only={question.pk for question in screen}
        )
        errors = checked.errors
        if errors and _wants_json(request):
            return _outbox_refused(_("Some answers need another look."), survey, step)
        if not errors:
            screens = _screens(questions, raw)
            if step < len(screens):
                next_url = f"{reverse('surveys:answer', args=[slug])}?step={step + 1}"
                if _wants_json(request):
                    return _outbox_saved(survey, next_url)
                return redirect(next_url)
            try:
                survey_respond(survey=survey, user=request.user, raw=raw, questions=questions)
            except SurveyError as error:
                if _wants_json(request):
                    return _outbox_refused(str(error), survey, _screen_of(screens, error.errors))
                if not error.errors:
                    request.session.pop(key, None)
                    messages.error(request, str(error))
                    return redirect(survey.get_absolute_url())
                messages.error(request, str(error))
                return redirect(
                    f"{reverse('surveys:answer', args=[slug])}?step="
                    f"{_screen_of(screens, error.errors)}"
                )
            request.session.pop(key, None)
            if _wants_json(request):
                return JsonResponse(
                    {
                        "message": _("Your answers to “%(title)s” are sent. Thank you!")
                        % {"title": survey.title},
                        "url": reverse("surveys:thanks", args=[slug]),
                        "label": _("Open"),
                    },
                    status=201,
                )
            return redirect("surveys:thanks", slug=slug)
    elif request.GET.get("check"):
        errors = answers_validate(
            questions=questions, raw=raw, only={question.pk for question in screen}
        ).errors

    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "step": step,
            "steps": len(screens),
            # A later screen may still appear (a condition on this screen's answers).
            "is_last": step == len(screens)
            and not any(question.page > screen[0].page for question in questions),
            "items": [_item(question, raw.get(str(question.pk)), errors) for question in screen],
            "error_count": len(errors),
        },
        status=200,
    )


def _wants_json(request) -> bool:
    # A screen kept on the device while offline (static/js/outbox.js) is sent
    # by script later and wants the outcome as data, not a page.
    return request.headers.get("Accept", "").startswith("application/json")


def _outbox_saved(survey, next_url: str) -> JsonResponse:
    return JsonResponse(
        {
            "message": _("Your answers to “%(title)s” are saved.") % {"title": survey.title},
            "url": next_url,
            "label": _("Continue the survey"),
        }
    )


def _outbox_refused(message: str, survey, step: int) -> JsonResponse:
    url = f"{reverse('surveys:answer', args=[survey.slug])}?step={step}&check=1"
    return JsonResponse({"message": message, "url": url}, status=400)


def _screen_of(screens, errors) -> int:
    for number, screen in enumerate(screens, start=1):
        if any(question.pk in errors for question in screen):
            return number
    return 1


def _item(question, raw, errors) -> dict:
    """What the template needs to draw one question with what was typed and its errors."""
    name = field_name(question)
    item = {
        "question": question,
        "name": name,
        "errors": errors.get(question.pk, []),
        "value": raw if isinstance(raw, str) else "",
    }
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        raw = raw if isinstance(raw, dict) else {}
        picked = raw.get("choices") if question.kind == Kind.MULTIPLE else [raw.get("choice")]
        picked = {str(value) for value in picked or [] if value}
        item["options"] = [
            {"value": str(choice.pk), "label": choice.label, "checked": str(choice.pk) in picked}
            for choice in question.choices.all()
        ]
        if question.allow_other:
            item["other_checked"] = OTHER in picked
            item["other_text"] = raw.get("other", "")
    elif question.kind == Kind.RANKING:
        raw = raw if isinstance(raw, dict) else {}
        choices = list(question.choices.all())
        item["places"] = list(range(1, len(choices) + 1))
        item["options"] = [
            {"value": str(choice.pk), "label": choice.label, "place": raw.get(str(choice.pk), "")}
            for choice in choices
        ]
    elif question.kind == Kind.RATING:
        item["scale"] = [str(value) for value in range(1, question.scale_max + 1)]
    return item
