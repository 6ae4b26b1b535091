from marsoc.core import worker


class PlansConfig(worker.WorkerAppConfig):
    name = "marsoc.plans"
    label = "plans"
    verbose_name = "Disruption plans, outcomes and tasking"
    on_worker_start = ("marsoc.plans.tasks.alerts_on_worker_start",)
