"""The officer console: a server-rendered web app where officers work the tickets.

Data access and rules live in small modules here (access, queue, tickets, workflow,
deadlines, states, accounts, sessions, notices, reports, holidays, canned); the web layer
(FastAPI routes and Jinja2 templates) is in `bot.officer.web`.
"""
