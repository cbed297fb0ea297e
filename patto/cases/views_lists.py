"""The full lists behind the home page's cards: the user's tasks, plan actions, meetings and the time
points due. Each starts from what the user may see and logs the read of what it shows."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from .queries import (
    actions_assigned_to,
    open_tasks_of,
    read_action_page,
    read_meeting_page,
    read_task_page,
    read_time_points_due,
    upcoming_meetings_of,
)


def _page(request, items):
    return Paginator(items, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))


def my_tasks(request):
    page = _page(request, open_tasks_of(request.user))
    with transaction.atomic():  # the read is logged and the page rendered together (fail closed)
        read_task_page(request.user, page)
        return render(request, "cases/my_tasks.html", {"page": page, "today": timezone.localdate()})


def my_actions(request):
    page = _page(request, actions_assigned_to(request.user))
    with transaction.atomic():
        read_action_page(request.user, page)
        return render(request, "cases/my_actions.html", {"page": page, "today": timezone.localdate()})


def my_meetings(request):
    page = _page(request, upcoming_meetings_of(request.user))
    with transaction.atomic():
        read_meeting_page(request.user, page)
        return render(request, "cases/my_meetings.html", {"page": page})


def time_points_due(request):
    with transaction.atomic():
        page = _page(request, read_time_points_due(request.user))
        return render(request, "cases/time_points_due.html", {"page": page})
