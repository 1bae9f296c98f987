"""Who may open the staff back office: signed-in staff of this province (a role in it, or its
administrator). A signed-in account with no role gets 403, as the API answers it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from organization.selectors import role_assignment_list


def is_province_staff(user) -> bool:
    return user.is_active and (user.is_superuser or role_assignment_list(user=user).exists())


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_province_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
