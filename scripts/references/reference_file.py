"""Writes a reference solution in the layout `pinn compare` reads: /grid/x, /grid/t and /solution/u of shape (nt, nx),
through a temporary file renamed at the end (never a half-written file under the final name)."""
import os


def write_reference(path, x, t, u, description):
    import h5py
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f["/grid/x"], f["/grid/t"], f["/solution/u"] = x, t, u
        f.attrs["coordinates"] = "x,t"
        f.attrs["fields"] = "u"
        f.attrs["description"] = description
    os.replace(tmp, path)
    print(f"wrote {path}: u on {len(t)} x {len(x)} (t, x)")
