"""splitter: split a monolithic FastAPI module into routers/ and services/."""

__version__ = "0.1.0"
