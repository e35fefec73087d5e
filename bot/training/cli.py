"""`python -m bot nlu train|models|activate|rollback`: the console's model lifecycle from a
terminal (same registry, same gate, same Rasa load)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.training.rasa_engine import Workspace


def add_commands(nlu_sub: argparse._SubParsersAction) -> None:
    """Register the lifecycle commands under `nlu`."""
    train = nlu_sub.add_parser(
        "train",
        help="train a new registry model and test it on the held-out sets (not served yet)",
    )
    train.set_defaults(func=_cmd_train)
    nlu_sub.add_parser("models", help="list the registry's models").set_defaults(func=_cmd_models)
    activate = nlu_sub.add_parser(
        "activate",
        help="serve a registry model (refused when worse than the served one beyond "
        "MODEL_ACTIVATION_MARGIN, unless a supervisor overrides with a reason)",
    )
    activate.add_argument("model_id", type=int)
    activate.add_argument("--override-reason", help="why a worse model is served anyway")
    activate.add_argument(
        "--supervisor", metavar="USERNAME", help="the supervisor account that overrides"
    )
    activate.set_defaults(func=_cmd_activate)
    nlu_sub.add_parser(
        "rollback", help="serve the model served before the active one again"
    ).set_defaults(func=_cmd_rollback)


def _engine():  # type: ignore[no-untyped-def]
    from bot.store.db import get_engine, prepare_database

    prepare_database(seed="never")
    return get_engine()


def _rasa():  # type: ignore[no-untyped-def]
    from bot.training.activation import Rasa

    settings = get_settings()
    return Rasa(settings.rasa_url, settings.rasa_auth_token, tuple(settings.rasa_replica_urls))


def _cmd_train(_args: argparse.Namespace) -> int:
    from bot.training import registry
    from bot.training.training_run import Trainer

    engine = _engine()
    trainer = Trainer(engine, Workspace())
    try:
        row = trainer.start(None)
    except registry.RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"training model {row.id} ({row.file_name})...")
    last = ""
    while True:
        trainer.wait(2)
        current = registry.get(engine, row.id)
        assert current is not None
        line = f"  {current.progress:3d}% {current.phase}"
        if line != last:
            print(line, flush=True)
            last = line
        if current.status != registry.TRAINING:
            break
    if current.status != registry.READY:
        print(current.log_tail[-2000:], file=sys.stderr)
        print(f"model {row.id}: {current.phase}", file=sys.stderr)
        return 1
    print(
        f"model {row.id} ready in {current.training_seconds:.0f} s; "
        f"python -m bot nlu activate {row.id}"
    )
    return 0


def _cmd_models(_args: argparse.Namespace) -> int:
    print("\n".join(listing(_engine())))
    return 0


def listing(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The registry's models, one line each (reads only: the served file is adopted on
    train, activate and rollback)."""
    from bot.training import evaluation, registry

    lines = []
    for m in registry.all_models(engine):
        scores = ", ".join(
            f"{evaluation.set_label(name)}: acc {v['accuracy']:.3f}"
            for name, v in sorted(m.metrics.items())
        )
        lines.append(
            f"{m.id:4d}  {registry.status_name(m.status):14s}  {m.file_name}  "
            f"data {m.data_hash[:12]}  {m.created_at:%Y-%m-%d %H:%M}  {scores or '-'}"
        )
    return lines or ["belum ada model"]


def _cmd_activate(args: argparse.Namespace) -> int:
    from bot.store.models import Officer, OfficerRole
    from bot.training import activation, evaluation, registry

    engine = _engine()
    ws = Workspace()
    registry.adopt_served(engine, ws)
    actor_id = None
    if args.supervisor:
        with Session(engine) as s:
            officer = s.scalar(
                select(Officer).where(Officer.username == args.supervisor.strip().lower())
            )
            if officer is None or officer.role != OfficerRole.SUPERVISOR or not officer.active:
                print(f"{args.supervisor} is not an active supervisor account", file=sys.stderr)
                return 1
            actor_id = officer.id
    candidate = registry.get(engine, args.model_id)
    if candidate is not None:
        served_row = registry.active(engine)
        comparison = evaluation.compare(
            served_row if served_row and served_row.id != candidate.id else None, candidate
        )
        print("\n".join(comparison_lines(comparison, get_settings().model_activation_margin)))
    try:
        served = activation.activate(
            engine,
            ws,
            _rasa(),
            args.model_id,
            actor_id,
            get_settings().model_activation_margin,
            args.override_reason,
            supervisor=actor_id is not None,
        )
    except registry.RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    _print_served(served)
    return 0


def comparison_lines(comparison, margin: float) -> list[str]:  # type: ignore[no-untyped-def]
    """The comparison as the activation decides on it: per set for information, then the
    pooled scores (the decision)."""
    from bot.training import evaluation

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    lines = []
    for s in comparison.sets:
        lines.append(
            f"  {s.label} ({s.messages} pesan, informasi): akurasi intent "
            f"{num(s.old.get('accuracy'))} -> {num(s.new.get('accuracy'))}, F1 entitas "
            f"{num(s.old.get('entity_f1'))} -> {num(s.new.get('entity_f1'))}"
        )
    for name in comparison.missing:
        lines.append(f"  {evaluation.set_label(name)}: belum dievaluasi untuk kedua model")
    if comparison.sets:
        lines.append(
            f"keputusan: gabungan {len(comparison.sets)} set ({comparison.messages} pesan), "
            f"batas {margin:.3f}:"
        )
        lines += [f"  {p.label}: {num(p.old)} -> {num(p.new)}" for p in comparison.pooled()]
    return lines


def _cmd_rollback(_args: argparse.Namespace) -> int:
    from bot.training import activation, registry

    engine = _engine()
    registry.adopt_served(engine, Workspace())
    try:
        served = activation.rollback(engine, Workspace(), _rasa(), None)
    except registry.RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    _print_served(served)
    return 0


def _print_served(served) -> None:  # type: ignore[no-untyped-def]
    where = (
        "loaded into the running Rasa server"
        if served.loaded
        else ("Rasa is not running; it serves it when it starts")
    )
    print(f"model {served.model.id} ({served.model.file_name}) is active: {where}")
