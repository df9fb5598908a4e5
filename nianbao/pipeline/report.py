"""The run report: what a run did, per portal and per stage, as a person reads it and as JSON.

One dataclass is both: ``render`` prints it with rich for the terminal (plain text in logs, since rich
drops styling when stdout is not a terminal), ``to_stats`` is what the archive's ``runs`` row keeps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from nianbao.pipeline.store_diff import PortalFigures

CLEAN, PARTIAL, BROKEN = 0, 1, 2
STATUS_NAMES = {CLEAN: "clean", PARTIAL: "partial", BROKEN: "broken"}
MAX_ROWS = 40  # beyond this, the table lists only portals where something happened


def _eventful(portal: PortalFigures) -> bool:
    return bool(portal.new or portal.changed or portal.gone or portal.failed or portal.blocked)


@dataclass
class StageResult:
    """One stage of one run: how it ended (ok, failed, deferred), how long, and its figures."""

    stage: str
    status: str
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    required: bool = True  # a required stage that fails makes the run broken


@dataclass
class RunReport:
    run_id: int | None
    started_at: str
    finished_at: str | None = None
    stages: list[StageResult] = field(default_factory=list)
    portals: list[PortalFigures] = field(default_factory=list)
    snapshot: str | None = None
    resumed: list[int] = field(default_factory=list)
    candidates_added: int = 0
    notes: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)  # of failed stages: kept in the runs row, not printed

    @property
    def exit_code(self) -> int:
        """0 clean, 1 partial (some portals could not be read), 2 broken (a required stage failed)."""
        if any(stage.required and stage.status == "failed" for stage in self.stages):
            return BROKEN
        if any(stage.status == "failed" for stage in self.stages):
            return PARTIAL
        if any(portal.status != "ok" for portal in self.portals):
            return PARTIAL
        return CLEAN

    @property
    def status(self) -> str:
        return STATUS_NAMES[self.exit_code]

    def totals(self) -> dict[str, int]:
        keys = ("found", "new", "changed", "gone", "failed", "blocked")
        return {key: sum(getattr(portal, key) for portal in self.portals) for key in keys}

    @property
    def changed_anything(self) -> bool:
        totals = self.totals()
        return bool(totals["new"] or totals["changed"] or totals["gone"] or self.candidates_added)

    def to_stats(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "portals": len(self.portals),
            "portals_failed": sum(1 for portal in self.portals if portal.status in ("failed", "blocked")),
            "candidates_added": self.candidates_added,
            "snapshot": self.snapshot,
            "resumed": self.resumed,
            "stages": [asdict(stage) for stage in self.stages],
            "notes": self.notes,
            "tracebacks": self.tracebacks,
        }

    def render(self, console: Console) -> None:
        portals = Table(title=f"nianbao run {self.run_id or ''} — portals", title_justify="left")
        portals.add_column("portal")
        for name in ("found", "new", "changed", "gone", "failed", "blocked"):
            portals.add_column(name, justify="right")
        portals.add_column("status")
        shown = sorted(self.portals, key=lambda item: item.site_id)
        quiet = [portal for portal in shown if not _eventful(portal)]
        if len(shown) > MAX_ROWS:
            shown = [portal for portal in shown if _eventful(portal)][:MAX_ROWS]
        for portal in shown:
            label = portal.site_id
            values = [str(getattr(portal, name)) for name in ("found", "new", "changed", "gone", "failed", "blocked")]
            portals.add_row(label, *values, portal.status)
        hidden = len(self.portals) - len(shown)
        if hidden:
            portals.add_row(f"… {hidden} more ({len(quiet)} with nothing new)", *[""] * 7)
        totals = self.totals()
        portals.add_row("[bold]total", *(f"[bold]{totals[name]}" for name in totals), "", end_section=True)
        if self.portals:
            console.print(portals)
        stages = Table(title="stages", title_justify="left")
        for name, justify in (("stage", "left"), ("status", "left"), ("seconds", "right"), ("counts", "left")):
            stages.add_column(name, justify=justify)  # type: ignore[arg-type]
        for stage in self.stages:
            counts = ", ".join(f"{key} {value}" for key, value in stage.counts.items())
            if stage.error:
                counts = f"{counts}; {stage.error}" if counts else stage.error
            stages.add_row(stage.stage, stage.status, f"{stage.seconds:.1f}", counts)
        console.print(stages)
        for note in self.notes:
            console.print(f"note: {note}")
        tail = f", snapshot {self.snapshot}" if self.snapshot else ""
        if self.resumed:
            tail += f", finished interrupted run(s) {', '.join(map(str, self.resumed))}"
        console.print(f"run {self.run_id}: {self.status} (exit {self.exit_code}){tail}")
