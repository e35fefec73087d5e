"""The time from 'Latih model baru' in the console to the new model answering in a running
Rasa server: training (the console's own background trainer), evaluation of both models
on every held-out set, activation through Rasa's HTTP API, first answer of the new model.

Works on a copy of the training inputs under a temporary folder (the project's models/ and
database are not touched) and a Rasa server of its own on a free port.
Usage: .venv/bin/python bench/console_train.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import httpx

from bot.store.db import get_engine, prepare_database
from bot.training import activation, evaluation, registry
from bot.training.rasa_engine import Workspace
from bot.training.training_run import Trainer
from devtools.devstack import MODEL, ROOT, free_port, start_rasa_server, stop, wait_http

TOKEN = "bench-console-train"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-console-train-"))
    ws = Workspace(root=folder)
    shutil.copytree(ROOT / "data" / "rasa", ws.data_dir)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, folder / name)
    for held_out in evaluation.held_out_sets(Workspace()):
        target = folder / held_out.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(held_out.path, target)
    ws.models_dir.mkdir()
    shutil.copy(MODEL, ws.served_file)
    url = f"sqlite:///{folder / 'bench.db'}"
    prepare_database(url, seed="never")
    engine = get_engine(url)
    port = free_port()
    rasa = start_rasa_server(port, free_port(), folder / "rasa.log", auth_token=TOKEN)
    try:
        wait_http(f"http://127.0.0.1:{port}/status?token={TOKEN}", 900, rasa)
        trainer = Trainer(engine, ws)
        # The served model's scores are computed once per set file; a console that has
        # trained before has them already. Measure them apart.
        served = registry.adopt_served(engine, ws)
        assert served is not None
        start = time.monotonic()
        evaluation.evaluate_model(engine, ws, served.id, ws.path_of(served.file_name))
        served_eval_s = time.monotonic() - start

        start = time.monotonic()
        row = trainer.start(None)
        trainer.wait()
        ready_s = time.monotonic() - start
        model = registry.get(engine, row.id)
        assert model is not None and model.status == registry.READY, model
        verdict = activation.check(engine, model, 0.01)
        begin = time.monotonic()
        served_now = activation.activate(
            engine,
            ws,
            activation.Rasa(f"http://127.0.0.1:{port}", TOKEN),
            model.id,
            None,
            0.01 if verdict.allowed else 1.0,  # a refusal still measures the load
        )
        answer = httpx.post(
            f"http://127.0.0.1:{port}/model/parse",
            params={"token": TOKEN},
            json={"text": "syarat bikin KTP apa aja?"},
            timeout=120,
        ).json()
        activate_s = time.monotonic() - begin
        assert served_now.loaded and answer["intent"]["name"]
        train_s = model.training_seconds or 0.0
        sets = len(evaluation.held_out_sets(ws))
        print(f"held-out sets: {sets}; gate: {'allowed' if verdict.allowed else verdict.reasons}")
        print(f"training (rasa train, NLU + core): {train_s:.1f} s")
        print(f"evaluation of the new model on {sets} sets: {ready_s - train_s:.1f} s")
        print(f"evaluation of the served model (once per set file): {served_eval_s:.1f} s")
        print(f"activation until the new model answered: {activate_s:.1f} s")
        print(f"'Latih model baru' -> new model answering: {ready_s + activate_s:.1f} s")
    finally:
        stop(rasa)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
