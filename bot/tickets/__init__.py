"""The ticket domain: states and transitions, the workflow that applies them, working-day
deadlines, the holiday calendar and the expiry of unanswered requests. The only code that
changes a ticket's status."""
