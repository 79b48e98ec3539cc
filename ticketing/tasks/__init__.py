"""Work off the request path: a Huey task queue, its worker and its sweeps.

Web requests commit their own row (the outbox: an order's email status, a
refund request, a reminder due) and only then enqueue a task
(`queue.enqueue`); the worker (`flask --app app worker`) runs the task,
which is its own unit of work and commits. A periodic sweep re-enqueues
whatever is due and not done, so a broker that was down at commit time
loses nothing. See README, "Background tasks".
"""
