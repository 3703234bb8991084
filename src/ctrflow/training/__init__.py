"""One trainer for every model, tensor batching, the loss and the saved model artifact.

Import from the modules (``ctrflow.training.trainer``, ``.data``, ``.loss``,
``.artifact``, ``.params``): this package imports nothing, so reading the
training parameters (``ctrflow.training.params``) does not load torch.
"""
