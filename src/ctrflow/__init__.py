"""ctrflow"""

from ctrflow.training.threads import configure_openmp_waiting

# before anything loads torch (libgomp reads it once): idle OpenMP threads sleep
# instead of spinning on cores that others need (ctrflow.training.threads)
configure_openmp_waiting()

__version__ = "0.1"
