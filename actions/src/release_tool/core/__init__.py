"""The pure core: no subprocess, no network, no environment, no writes."""
