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
    """One screen of the survey: show it, keep its answers, go on, or send them all."""
    survey = selectors.get_survey_for_user(request.user, slug)
    refusal = selectors.answer_refusal(survey, request.user)
    if refusal:
        return _refused(request, survey, refusal)
    questions = survey_questions(survey)
    raw = dict(request.session.get(_draft_key(survey)) or {})
    screens = _screens(questions, raw)
    if not screens:
        messages.error(request, _("This survey has no questions yet."))
        return redirect(survey.get_absolute_url())
    step = _step(request, screens)
    screen = screens[step - 1]
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        response, errors = _post_screen(request, survey, questions, raw, screen, step)
        if response is not None:
            return response
    elif request.GET.get("check"):
        errors = _screen_errors(questions, raw, screen)
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


def _refused(request, survey, refusal):
    if _wants_json(request):
        return JsonResponse({"message": str(refusal), "url": survey.get_absolute_url()}, status=400)
    messages.error(request, refusal)
    return redirect(survey.get_absolute_url())


def _step(request, screens) -> int:
    """The screen asked for (?step=N), kept within the screens there are."""
    try:
        return min(max(int(request.GET.get("step", 1)), 1), len(screens))
    except ValueError:
        return 1


def _step_url(survey, step: int) -> str:
    return f"{reverse('surveys:answer', args=[survey.slug])}?step={step}"


def _screen_errors(questions, raw, screen) -> dict:
    return answers_validate(
        questions=questions, raw=raw, only={question.pk for question in screen}
    ).errors


def _post_screen(request, survey, questions, raw, screen, step):
    """Keep the screen's answers, then go back, on, or send: (response or None, errors)."""
    raw.update(raw_from_post(screen, request.POST))
    request.session[_draft_key(survey)] = raw
    if request.POST.get("autosave"):
        return HttpResponse(status=204), {}
    if "back" in request.POST:
        return redirect(_step_url(survey, max(step - 1, 1))), {}
    errors = _screen_errors(questions, raw, screen)
    if errors:
        if _wants_json(request):
            return _outbox_refused(_("Some answers need another look."), survey, step), errors
        return None, errors
    screens = _screens(questions, raw)
    if step < len(screens):
        next_url = _step_url(survey, step + 1)
        if _wants_json(request):
            return _outbox_saved(survey, next_url), {}
        return redirect(next_url), {}
    return _send(request, survey, questions, raw, screens), {}


def _send(request, survey, questions, raw, screens):
    """The last screen: hand every answer to survey_respond, which checks them all again."""
    key = _draft_key(survey)
    try:
        survey_respond(survey=survey, user=request.user, raw=raw, questions=questions)
    except SurveyError as error:
        if _wants_json(request):
            return _outbox_refused(str(error), survey, _screen_of(screens, error.errors))
        messages.error(request, str(error))
        if not error.errors:
            request.session.pop(key, None)
            return redirect(survey.get_absolute_url())
        return redirect(_step_url(survey, _screen_of(screens, error.errors)))
    request.session.pop(key, None)
    if _wants_json(request):
        return JsonResponse(
            {
                "message": _("Your answers to “%(title)s” are sent. Thank you!")
                % {"title": survey.title},
                "url": reverse("surveys:thanks", args=[survey.slug]),
                "label": _("Open"),
            },
            status=201,
        )
    return redirect("surveys:thanks", slug=survey.slug)


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
