"""Load and scale benchmarks: `make bench` (or `python -m bench [names]`); see README.md."""
