"""``python -m console.operators``: operator administration from the command line (no Qt).

See :mod:`console.operators.__main__`; the work is done by
:class:`console.services.operators.OperatorService`, signed in as the admin exactly like the console.
"""
