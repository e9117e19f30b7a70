"""Background tasks of the stories app (django_tasks; run by ``db_worker`` in production)."""

from django_tasks import task

from stories.expiry import consent_reminders_send, consents_expire


@task()
def consents_expire_task() -> dict:
    return {"taken_down": consents_expire(), "reminders": consent_reminders_send()}
