"""Background task for the #igivehope moment: run by ``db_worker`` in production."""

from django_tasks import task

from campaigns.services import igivehope_moments_send


@task()
def igivehope_moments_send_task() -> int:
    return igivehope_moments_send()
