"""GPU tests: run by the GPU gate on self-hosted runners, in a profile's environment."""
