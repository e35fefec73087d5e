"""The officer console: a server-rendered web app where officers work the tickets.

Data access and rules live in small modules here (access, accounts, passwords, sessions,
audit, queue, tickets, notices, reports, canned, catalogue_admin, cli); the ticket domain
they call (states, workflow, deadlines, holidays, expiry) is `bot.tickets`; the web layer
(FastAPI routes and Jinja2 templates) is in `bot.officer.web`.
"""
