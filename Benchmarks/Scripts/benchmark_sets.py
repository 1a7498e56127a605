"""The data sets the side-by-side scripts time both libraries on, written once as CSV.

`write_sets(sets, directory, fmt)` makes each set (a name and a function returning X, y),
writes it to DIRECTORY/NAME.csv (columns f0…fN and target) unless that file exists, through
a `.partial` file renamed when complete, and returns {name: (X, y)} for the Python side.
"""
import os

import numpy as np


def write_sets(sets, directory, fmt):
    os.makedirs(directory, exist_ok=True)
    arrays = {}
    for name, make in sets.items():
        x, y = make()
        arrays[name] = (x, y)
        path = os.path.join(directory, f"{name}.csv")
        if not os.path.exists(path):
            header = ",".join([f"f{i}" for i in range(x.shape[1])] + ["target"])
            np.savetxt(path + ".partial", np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt=fmt)
            os.replace(path + ".partial", path)
    return arrays
