#!/usr/bin/env python3
"""Opens a pinn result's XDMF sidecar with meshio and with VTK's XDMF reader (as ParaView does) and checks that both
see the mesh and every field of /solution, value for value (NaN outside non-rectangular domains included).

Usage: check_xdmf.py RESULT.xmf
Prints one line per reader and exits non-zero on any mismatch. Needs meshio, h5py, numpy and vtk (PyPI).
"""
import sys

import h5py
import meshio
import numpy as np
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOXdmf2 import vtkXdmfReader


def same(a, b):
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    return a.shape == b.shape and np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(a[~np.isnan(a)], b[~np.isnan(b)])


def main(path):
    h5 = h5py.File(path[:-4] + ".h5", "r")
    temporal = "step_0" in h5["mesh"]
    points = h5["mesh/points"].shape[0]
    steps = len([k for k in h5["mesh"].keys() if k.startswith("step_")]) if temporal else 1
    # The fields on the grid (other /solution datasets, such as errors over time, are not node data).
    names = [n for n in h5["solution"].keys() if h5["solution"][n].size == points * steps]
    failures = []

    # meshio: one mesh, or a time series of fields on one mesh.
    if temporal:
        with meshio.xdmf.TimeSeriesReader(path) as reader:
            mesh_points, cells = reader.read_points_cells()
            steps = reader.num_steps
            for k in range(steps):
                t, data, _ = reader.read_data(k)
                for name in names:
                    if not same(data[name], h5["solution"][name][k]):
                        failures.append(f"meshio: {name} at step {k} differs from /solution/{name}")
        print(f"meshio: {len(mesh_points)} points, {sum(len(c.data) for c in cells)} cells, {steps} times, "
              f"fields {sorted(names)}")
    else:
        mesh = meshio.read(path)
        for name in names:
            if not same(mesh.point_data[name], h5["solution"][name][()]):
                failures.append(f"meshio: {name} differs from /solution/{name}")
        mesh_points = mesh.points
        print(f"meshio: {len(mesh.points)} points, {sum(len(c.data) for c in mesh.cells)} cells "
              f"({', '.join(c.type for c in mesh.cells)}), fields {sorted(mesh.point_data)}")
    if len(mesh_points) != points:
        failures.append(f"meshio: {len(mesh_points)} points, /mesh/points has {points}")

    # VTK (ParaView's reader): every time step when temporal.
    reader = vtkXdmfReader()
    reader.SetFileName(path)
    reader.UpdateInformation()
    from vtkmodules.vtkCommonExecutionModel import vtkStreamingDemandDrivenPipeline
    times = list(reader.GetOutputInformation(0).Get(vtkStreamingDemandDrivenPipeline.TIME_STEPS()) or []) \
        if temporal else [None]
    if temporal and len(times) != steps:
        failures.append(f"vtk: {len(times)} time steps, expected {steps}")
    for k, t in enumerate(times):
        if t is not None:
            reader.UpdateTimeStep(float(t))
        else:
            reader.Update()
        grid = reader.GetOutputDataObject(0)
        if grid.GetNumberOfPoints() != points:
            failures.append(f"vtk: {grid.GetNumberOfPoints()} points, expected {points}")
        for name in names:
            array = grid.GetPointData().GetArray(name)
            expected = h5["solution"][name][k] if temporal else h5["solution"][name][()]
            if array is None or not same(vtk_to_numpy(array), expected):
                failures.append(f"vtk: {name}{f' at step {k}' if temporal else ''} missing or different")
    print(f"vtk: {type(grid).__name__}, {grid.GetNumberOfPoints()} points, {grid.GetNumberOfCells()} cells"
          + (f", {len(times)} times" if temporal else ""))
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
