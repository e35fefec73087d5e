"""Development and test tools, not part of the product: the local Telegram Bot API stand-in
with its chat page, the in-process test stack and the terminal chat."""
