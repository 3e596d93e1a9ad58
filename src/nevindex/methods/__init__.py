"""Pure numpy kernels, one module per step. No I/O, no pandas, no names: arrays in, arrays out.

Arrays are batch-first: the last two axes are (units, columns); any leading axes are samples.
Missing values are NaN throughout.
"""

__all__: list[str] = []  # the kernels are imported by module: from nevindex.methods import normalise
