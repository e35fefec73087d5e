"""Code the Rasa server process loads (it runs in .venv-rasa, not in .venv): named in
credentials.yml, imported by `rasa run` from the project folder."""
