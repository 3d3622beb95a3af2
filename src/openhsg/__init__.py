"""OpenHSG: hysterosalpingography software from referral to signed report."""

__version__ = "0.1.0"
