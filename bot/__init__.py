"""The application: settings, wiring of the Telegram handlers, start-up and shutdown."""
