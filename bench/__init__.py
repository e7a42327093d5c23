"""The benchmark: the whole bot under load, against a bare python-telegram-bot baseline."""
