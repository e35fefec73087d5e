"""Helpers shared by tests in several folders, by concern.

Conftests hold only fixtures (and pytest hooks); anything a test module imports comes from
here, never from another folder's conftest, so every folder of tests collects on its own.

- `db`: the throwaway PostgreSQL server and emptying the tables between tests
- `officer`: console accounts, sign-in and CSRF, tickets filed as the assistant files them
- `actions`: running our Rasa actions with a real tracker and dispatcher
- `domain`: the texts of domain.yml and the complaint form's first question
- `stack`: Rasa and the action server as subprocesses on one fresh database
- `chat`: a citizen talking to Rasa's REST channel
- `telegram`: a citizen on the local Telegram Bot API server
- `conversations`: the conversation suite's report
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
