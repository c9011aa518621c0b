"""The worker: ``python -m console.worker --db URL`` (entry point ``shihou-worker``) runs the background duties of
:mod:`console.services.jobs` as procrastinate jobs on PostgreSQL (docs/worker.md).

* :mod:`console.worker.tasks`: the procrastinate app, one queue per task (a worker listens only to the queues of
  the tasks it knows, so a job kind another version added waits for a worker that knows it), the periodic tasks.
* :mod:`console.worker.secrets`: the worker's password and provider secrets (its keyring, or a 0600 file).
* :mod:`console.worker.grants`: the privileges its jobs need, checked at start.
"""
