"""Rasa custom actions. One module per feature; each is thin and calls `bot.store`.

The action server (`python -m bot actions`) registers every module of this package.
"""
