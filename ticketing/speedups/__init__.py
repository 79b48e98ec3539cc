"""Speed patches on private internals of Flask, Flask-Limiter, the Stripe SDK and gunicorn."""
