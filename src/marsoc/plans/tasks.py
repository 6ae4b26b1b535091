"""Background work for plans, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from .alerts import alerts_run


@task()
def alerts_task() -> dict[str, int]:
    """Produce the date-driven alerts and send their e-mails; safe to run as often as wanted."""
    result = alerts_run()
    return {"created": result.created, "emailed": result.emailed}
