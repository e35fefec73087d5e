"""A person when the citizen asks for one: the live chat with an officer (`chats`), the
units' service hours it depends on (`hours`), and its figures for the reports (`reports`)."""
