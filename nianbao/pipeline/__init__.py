"""The whole product as one job: crawl, extract, archive, snapshot, and the runs that tie them together.

Each module has one job: ``lock`` keeps runs from overlapping, ``calendar`` decides when a portal is
due, ``discovery`` turns URLs that reports mention into registry candidates, ``stages`` adapts the
other engineers' stages to one calling shape, ``runner`` runs them in order and measures them,
``report`` prints what happened, ``runs`` records it in the archive, ``service`` is the long-lived
scheduler, ``deploy`` writes cron and systemd set-ups, and ``demo`` shows it all on the bundled farm.
"""
