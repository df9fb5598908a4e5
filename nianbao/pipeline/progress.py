"""Progress bars for long stages: rich on a terminal, silence under cron, systemd or a pipe.

A stage is handed a plain callback ``(done, total, what)``; it never knows whether anyone is watching.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from nianbao.pipeline.stages import Progress as Callback
from nianbao.pipeline.stages import no_progress


@contextmanager
def stage_progress(console: Console, title: str) -> Iterator[Callback]:
    """A progress callback for one stage; a transient bar when ``console`` is a terminal, else a no-op."""
    if not console.is_terminal:
        yield no_progress
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[what]}", style="dim"),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task(title, total=None, what="")

        def update(done: int, total: int | None, what: str) -> None:
            bar.update(task, completed=done, total=total, what=what[:60])

        yield update
