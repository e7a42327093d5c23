"""The web side: one FastAPI app on uvicorn serving Telegram's webhook, /healthz, the task API,
the Mini App and the calendar feed.

The Telegram side (bot/app.py, handlers/) never imports this package; bot/runner.py starts
the server beside the bot.
"""
