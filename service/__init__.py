"""The service around the notices package: the Flask app and the scheduler."""
