"""The Telegram side: commands, buttons, and the text and keyboards they show."""
